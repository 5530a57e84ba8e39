package dev.wharf.lb;

import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;

/**
 * The load balancer's nodes in the pipeline: lb-vip-arp on the {@value FeatureArc#L2_FLOOD_IN} arc. The
 * scheduling itself runs inside ip4-nat-in ({@link LoadBalancer} is its {@code VirtualServices}), so that
 * a connection costs one conntrack lookup per packet.
 */
final class LbFeature implements GraphFeature
{
    private final LoadBalancer balancer;

    LbFeature(final LoadBalancer balancer)
    {
        this.balancer = balancer;
    }

    @Override
    public String name()
    {
        return "lb";
    }

    @Override
    public void contribute(final int worker, final GraphComposer composer)
    {
        composer.feature(FeatureArc.L2_FLOOD_IN, new VipArpNode(balancer::table));
    }
}
