package dev.wharf.lb;

/** How a virtual service's packets reach a backend (IPVS's -m and -g). */
public enum ForwardingMode
{
    /** The destination is translated to the backend; replies come back through the switch (IPVS masquerading). */
    NAT,
    /**
     * Direct server return (IPVS's gatewaying, "DR"): the packet goes unchanged to the backend's MAC; the
     * backend holds the VIP on a loopback and answers the client itself. Its port is the service's.
     */
    DSR;

    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
