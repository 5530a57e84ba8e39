package dev.wharf.nat;

import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;

/**
 * Connection tracking and NAT as a feature of the pipeline: per worker, ip4-nat-in on the
 * {@value FeatureArc#IP4_PREROUTING} arc (conntrack and DNAT, netfilter's PREROUTING), and on the
 * {@value FeatureArc#IP4_POSTROUTING} arc ip4-user-rules then ip4-nat-out (the new-connection checks,
 * SNAT and the conntrack confirm, netfilter's FORWARD filter and POSTROUTING), and l2-user-rules on the
 * {@value FeatureArc#L2_FORWARD_IN} arc (the same rules for frames two ports of one network exchange). The three share the
 * worker's {@link NatScratch} (the feature's per-packet state, by batch index) and {@link FailureRing};
 * ip4-nat-in counts the worker's packets of marked flows in its {@link MarkCounters}.
 */
public final class NatFeature implements GraphFeature
{
    /** The names of the nodes this feature contributes. */
    public static final java.util.List<String> NODE_NAMES = java.util.List.of(NatInNode.NAME, UserRulesNode.NAME, NatOutNode.NAME,
        BridgedRulesNode.NAME);

    private final NatService service;

    NatFeature(final NatService service)
    {
        this.service = service;
    }

    /** Whether {@code counterName} ({@code node.error}) is one of this feature's nodes' counters. */
    public static boolean ownsCounter(final String counterName)
    {
        final int dot = counterName.indexOf('.');
        return dot > 0 && NODE_NAMES.contains(counterName.substring(0, dot));
    }

    @Override
    public String name()
    {
        return "nat";
    }

    @Override
    public void contribute(final int worker, final GraphComposer composer)
    {
        final NatScratch scratch = new NatScratch();
        final FailureRing failures = service.newFailureRing();
        composer.feature(FeatureArc.IP4_PREROUTING, new NatInNode(service, scratch, service.newMarkCounters()));
        composer.feature(FeatureArc.IP4_POSTROUTING, new UserRulesNode(service, scratch, failures)).runsBefore(NatOutNode.NAME);
        composer.feature(FeatureArc.IP4_POSTROUTING, new NatOutNode(service, scratch, failures)).runsAfter(UserRulesNode.NAME);
        if (composer.hasArc(FeatureArc.L2_FORWARD_IN)) // a routing-only graph (tests, benchmarks) bridges nothing
        {
            composer.feature(FeatureArc.L2_FORWARD_IN, new BridgedRulesNode(service));
        }
    }
}
