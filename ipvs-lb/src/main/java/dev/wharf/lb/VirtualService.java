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
 * @param hashSourcePort     {@code sh} and {@code mh} hash the client's port with its address (ipvsadm's
 *                           {@code -b sh-port} and {@code mh-port}): one client's connections spread over the backends.
 */
public record VirtualService(ServiceKey key, String scheduler, int persistenceSeconds, String name, ForwardingMode mode, boolean hashSourcePort)
{
    /** A NAT service. */
    public VirtualService(final ServiceKey key, final String scheduler, final int persistenceSeconds, final String name)
    {
        this(key, scheduler, persistenceSeconds, name, ForwardingMode.NAT);
    }

    /** A service that hashes the client's address alone. */
    public VirtualService(final ServiceKey key, final String scheduler, final int persistenceSeconds, final String name, final ForwardingMode mode)
    {
        this(key, scheduler, persistenceSeconds, name, mode, false);
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
