package dev.wharf.lb;

/**
 * A backend's or a service's counts, as {@code ipvsadm -Ln --stats} shows them (and its ActiveConn and
 * InActConn). Immutable.
 *
 * @param connections new connections scheduled (total, since the backend or service was added).
 * @param active      TCP connections tracked now in ESTABLISHED (or, for direct server return, started so).
 * @param inactive    other connections tracked now: TCP opening or closing, and every UDP flow (IPVS's InActConn).
 * @param packetsIn   packets client to backend (total).
 * @param packetsOut  packets backend to client (total), where they pass the switch: 0 for direct server return.
 * @param bytesIn     bytes client to backend, IPv4 header on (total).
 * @param bytesOut    bytes backend to client (total).
 */
public record LbStats(long connections, long active, long inactive, long packetsIn, long packetsOut, long bytesIn, long bytesOut)
{
    public static final LbStats ZERO = new LbStats(0, 0, 0, 0, 0, 0, 0);

    public LbStats plus(final LbStats other)
    {
        return new LbStats(connections + other.connections, active + other.active, inactive + other.inactive,
            packetsIn + other.packetsIn, packetsOut + other.packetsOut, bytesIn + other.bytesIn, bytesOut + other.bytesOut);
    }

    /** The totals alone (connections, packets, bytes), the gauges (active, inactive) 0: what a gone backend leaves its service. */
    public LbStats totals()
    {
        return new LbStats(connections, 0, 0, packetsIn, packetsOut, bytesIn, bytesOut);
    }
}
