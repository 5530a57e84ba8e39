package dev.wharf.lb;

/**
 * One backend of a service as listings show it (ipvsadm -Ln --stats).
 *
 * @param address       IPv4 as an int.
 * @param weight        0..65535 (0: quiesced, no new connections).
 * @param draining      removed with a grace time: no new connections, its connections end at {@code drainEndsAtMs}.
 * @param drainEndsAtMs when its connections are ended (workers' clock), meaningless unless draining.
 * @param healthy       its health check passes (or it has none): new connections may reach it.
 * @param stats         its counts since it was added: connections, active and inactive ones, packets and bytes.
 * @param rates         its rates per second over the last estimator interval.
 */
public record BackendView(
    int address, int port, int weight, boolean draining, long drainEndsAtMs, boolean healthy, LbStats stats, LbRates rates)
{
    /** Connections tracked now: its active and inactive ones. */
    public long connections()
    {
        return stats.active() + stats.inactive();
    }

    /** New connections it was given since it was added. */
    public long scheduled()
    {
        return stats.connections();
    }
}
