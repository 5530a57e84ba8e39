package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * One switch under test: it wires the two containers' host ends together, and it says which
 * processes do its forwarding so their CPU time can be charged to it. A new anchor (kernel
 * nftables NAT, kernel VXLAN, HAProxy) is one more implementation of this interface.
 * <p>
 * The runner calls, on its main thread: {@link #unavailableReason()} once, then per repeat
 * {@link #setUp} on a fresh {@link ContainerPair}, the measurements, and the {@link Cleanup}.
 */
interface Scenario
{
    /** Short name used in {@code --only}, tables and file names: {@code bridge}, {@code ovs}, ... */
    String id();

    /** What a reader of the report needs to know about this configuration. */
    String description();

    /** Whether this is the system under test (the others are anchors it is compared with). */
    default boolean isSubject()
    {
        return false;
    }

    /**
     * How the two containers are connected: a subject is compared only with the anchors of its own
     * kind (a bridge's figures say nothing about a NAT router's).
     */
    default Kind kind()
    {
        return Kind.BRIDGED;
    }

    /**
     * Whether {@code metric} can be measured through this scenario. A routed path cannot carry what
     * addresses c2's MAC directly (the 64 B trafgen frames); the report shows such cells as n/a.
     * An overlay is one L2 segment across its hosts, so it carries them.
     */
    default boolean supports(final Metric metric)
    {
        if (metric.kind() != null || kind().ownMetricsOnly())
        {
            // a figure of one kind's own (requests per second through a VIP) means nothing elsewhere
            return metric.kind() == kind();
        }
        return kind().oneSegment() || !metric.sameSegmentOnly();
    }

    /** Whether any of the measurement's figures can be measured here; the runner skips it otherwise. */
    default boolean supportsAny(final Measurement measurement)
    {
        for (final Metric metric : measurement.metrics())
        {
            if (supports(metric))
            {
                return true;
            }
        }
        return false;
    }

    /** About how long {@link #setUp} takes, for the estimate of time left. */
    default double estimatedSetupSeconds()
    {
        return 2;
    }

    /** Why this scenario cannot run on this machine (missing tool, ...), or null if it can. */
    String unavailableReason();

    /** Creates the switch and attaches both host ends; registers every undo with {@code cleanup}. */
    void setUp(ContainerPair containers, Path workDir, Cleanup cleanup);

    /** The processes doing the switching, for CPU accounting; empty when the kernel switches in softirq. */
    List<ProcessHandle> switchProcesses();

    /** The ways the containers are connected; each gets its own table and ratios in the report. */
    enum Kind
    {
        /** One L2 segment: c1 10.77.0.1/24 and c2 10.77.0.2/24 behind a switch. */
        BRIDGED("Bridged (one L2 segment)", true),
        /** c1 10.76.0.1/24 behind a router that masquerades it onto c2's subnet 10.77.0.0/24, as Docker's default network. */
        ROUTED("Routed + masquerade (c1 10.76.0.1 → c2 10.77.0.2, source NAT to 10.77.0.254)", false),
        /**
         * c1 and c2 keep their addresses on one L2 network, but each sits on a host of its own
         * (namespaces joined by a veth underlay) and their frames cross it in tunnels, as with Docker Swarm's overlay.
         */
        OVERLAY("Overlay across two hosts (c1 on host A, c2 on host B, one L2 network over a veth underlay)", true),
        /**
         * A virtual service: c1 (10.76.0.1/24) the client, c2 and two more namespaces (10.77.0.2-4/24) its three nginx
         * backends, a router namespace between them that balances the VIP ({@link LbTopology}). Measured with its own
         * figures (requests and connections per second through the VIP), not the switch figures.
         */
        LOAD_BALANCED("Load balancer (c1 → VIP " + LbTopology.VIP + ", three nginx backends on 10.77.0.0/24)", false, true);

        private final String title;
        private final boolean oneSegment;
        private final boolean ownMetricsOnly;

        Kind(final String title, final boolean oneSegment)
        {
            this(title, oneSegment, false);
        }

        Kind(final String title, final boolean oneSegment, final boolean ownMetricsOnly)
        {
            this.title = title;
            this.oneSegment = oneSegment;
            this.ownMetricsOnly = ownMetricsOnly;
        }

        /** Whether this kind is measured only with the metrics made for it ({@link Metric#kind()}). */
        boolean ownMetricsOnly()
        {
            return ownMetricsOnly;
        }

        String title()
        {
            return title;
        }

        /** Whether c1 and c2 are on one L2 segment, so that frames addressed to c2's MAC reach it. */
        boolean oneSegment()
        {
            return oneSegment;
        }
    }
}
