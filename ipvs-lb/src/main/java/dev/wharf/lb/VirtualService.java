package dev.wharf.lb;

/**
 * What a virtual service is configured with (ipvsadm's {@code -A}).
 *
 * @param key                the VIP, port and protocol.
 * @param scheduler          one of {@code Schedulers.names()}: rr, wrr, lc, wlc, sh, mh.
 * @param persistenceSeconds 0, or how long a client stays on its backend after its last new connection
 *                           (IPVS {@code -p}).
 * @param name               a label for listings (and later DNS), may be empty.
 * @param mode               NAT or direct server return.
 */
public record VirtualService(ServiceKey key, String scheduler, int persistenceSeconds, String name, ForwardingMode mode)
{
    /** A NAT service. */
    public VirtualService(final ServiceKey key, final String scheduler, final int persistenceSeconds, final String name)
    {
        this(key, scheduler, persistenceSeconds, name, ForwardingMode.NAT);
    }

    public VirtualService
    {
        mode = mode == null ? ForwardingMode.NAT : mode;
        if (persistenceSeconds < 0)
        {
            throw new IllegalArgumentException("persistence must be 0 or more seconds: " + persistenceSeconds);
        }
        name = name == null ? "" : name;
    }
}
