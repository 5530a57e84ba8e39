package dev.wharf.lb;

/**
 * What a virtual service is configured with (ipvsadm's {@code -A}).
 *
 * @param key                the VIP, port and protocol.
 * @param scheduler          one of {@code Schedulers.names()}: rr, wrr, lc, wlc, sh, mh.
 * @param persistenceSeconds 0, or how long a client stays on its backend after its last new connection
 *                           (IPVS {@code -p}).
 * @param name               a label for listings (and later DNS), may be empty.
 */
public record VirtualService(ServiceKey key, String scheduler, int persistenceSeconds, String name)
{
    public VirtualService
    {
        if (persistenceSeconds < 0)
        {
            throw new IllegalArgumentException("persistence must be 0 or more seconds: " + persistenceSeconds);
        }
        name = name == null ? "" : name;
    }
}
