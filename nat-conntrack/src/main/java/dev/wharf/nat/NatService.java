package dev.wharf.nat;

import dev.wharf.dataplane.worker.DataplaneConfiguration;

import java.util.List;

/**
 * Connection tracking and NAT for one dataplane: the connection table, the published ports and
 * user rules the nodes read (each an immutable list swapped through a volatile reference), the
 * nodes each worker's pipeline gets, expiry, and what the control plane lists and flushes.
 */
public final class NatService
{
    private final NatConfiguration configuration;

    public NatService(final NatConfiguration configuration)
    {
        this.configuration = configuration;
    }

    public NatConfiguration configuration()
    {
        return configuration;
    }

    /** The pipelines with this service's ip4-nat-in and ip4-nat-out nodes, for {@link DataplaneConfiguration#withPipelines}. */
    public DataplaneConfiguration.PipelineFactory pipelines()
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** Replaces the published ports; connections already set up keep their translation. */
    public void publishedPorts(final List<PublishedPort> ports)
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** Replaces the user rules; only connections set up afterwards see them. */
    public void rules(final List<UserRule> rules)
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** Connections tracked now. */
    public int count()
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** Up to {@code limit} tracked connections. */
    public List<FlowView> list(final int limit)
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** Removes every tracked connection. @return how many. */
    public int flush()
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** The latest connections that could not be set up, newest first (at most a few dozen). */
    public List<NatFailure> recentFailures()
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }

    /** Removes expired connections a slice at a time; the daemon's housekeeping calls it often (every 100 ms). */
    public int expire(final long nowMs)
    {
        throw new UnsupportedOperationException("filled in by the nat-conntrack work");
    }
}
