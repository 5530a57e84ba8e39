package dev.wharf.control.state;

/** How a port reaches its interface. */
public enum PortKind
{
    /** An AF_PACKET socket on an interface that exists already (a veth's host end). */
    AF_PACKET("af_packet"),
    /** A TAP device the daemon creates and owns. */
    TAP("tap");

    private final String label;

    PortKind(final String label)
    {
        this.label = label;
    }

    /** The lower-case name the CLI shows. */
    public String label()
    {
        return label;
    }
}
