package dev.wharf.control.state;

/**
 * A user rule as desired: allow or deny new connections from {@code source} to {@code destination}
 * with a protocol and destination ports. Immutable; any thread.
 *
 * @param id       given by the control plane, unique in the state.
 * @param portFrom first destination port, 0 (with {@code portTo} 0) for any.
 * @param portTo   last destination port.
 */
public record RuleSpec(long id, boolean allow, Cidr source, Cidr destination, Protocol protocol, int portFrom, int portTo)
{
    /** "25", "8000-8100", or "" for any. */
    public String portsText()
    {
        if (portTo == 0)
        {
            return "";
        }
        return portFrom == portTo ? Integer.toString(portFrom) : portFrom + "-" + portTo;
    }

    public String action()
    {
        return allow ? "allow" : "deny";
    }

    @Override
    public String toString()
    {
        return "#" + id + " " + action() + " " + source + " -> " + destination + " " + protocol.label() +
            (portTo == 0 ? "" : " port " + portsText());
    }
}
