package dev.wharf.vxlan;

import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.vxlan.tunnel.OverlayTables;
import dev.wharf.vxlan.tunnel.ProxyArpNode;
import dev.wharf.vxlan.tunnel.TunnelDecapNode;
import dev.wharf.vxlan.tunnel.TunnelEncapNode;
import dev.wharf.vxlan.tunnel.TunnelGroNode;

import java.util.function.Supplier;

/**
 * The overlay's nodes on the core's arcs: decapsulation per format on device-input (the underlay's
 * device ports only), proxy ARP on l2-flood-in (frames about to be flooded), encapsulation on l2-output. Each worker gets its own node instances; all read the overlay's
 * published tables.
 */
final class OverlayFeature implements GraphFeature
{
    private final Supplier<OverlayTables> tables;

    OverlayFeature(final Supplier<OverlayTables> tables)
    {
        this.tables = tables;
    }

    @Override
    public String name()
    {
        return "overlay";
    }

    @Override
    public void contribute(final int worker, final GraphComposer composer)
    {
        for (final Encapsulation encapsulation : Encapsulation.values())
        {
            composer.feature(FeatureArc.DEVICE_INPUT, new TunnelDecapNode(encapsulation, tables));
        }
        composer.feature(FeatureArc.DEVICE_INPUT, new TunnelGroNode(tables)).runsAfter("vxlan-decap", "geneve-decap");
        composer.feature(FeatureArc.L2_FLOOD_IN, new ProxyArpNode(tables));
        composer.feature(FeatureArc.L2_OUTPUT, new TunnelEncapNode(tables));
    }
}
