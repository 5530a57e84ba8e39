package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Supplier;

/**
 * overlay-proxy-arp, on the l2-flood-in arc (frames about to be flooded, as an ARP request is): a local container's ARP request for a remote endpoint the
 * control plane registered (its MAC and IP behind a VTEP) is answered here, on the far endpoint's
 * behalf, and never crosses the underlay (Docker's overlay has the kernel do this with static
 * neighbour entries and proxy ARP; VPP's l2 arp-term). Every other frame goes on to l2-flood.
 */
public final class ProxyArpNode extends Node
{
    public static final String NAME = "overlay-proxy-arp";

    public enum Error
    {
        ANSWERED
    }

    private static final int NEXT = 0;
    private static final int OUTPUT = 1;

    private final Supplier<OverlayTables> tables;
    private final ArpFlyweight arp = new ArpFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    public ProxyArpNode(final Supplier<OverlayTables> tables)
    {
        super(NAME, new String[]{FeatureArc.NEXT, FeatureArc.L2_OUTPUT}, names(Error.values()));
        this.tables = tables;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final OverlayTables overlay = tables.get();
        final boolean any = overlay.hasProxyArp();
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if (!any || (batch.flags[i] & PacketBatch.FLAG_ARP) == 0 || overlay.tunnelAt(batch.inPort[i]) != null)
            {
                next(batch, i, NEXT);
                continue;
            }
            final int l3 = batch.l3Offset[i];
            if (batch.length[i] < l3 + ArpFlyweight.LENGTH)
            {
                next(batch, i, NEXT); // arp-input counts it as truncated
                continue;
            }
            final UnsafeBuffer frame = batch.frame(i);
            arp.wrap(frame, l3);
            if (!arp.isEthernetIpv4() || arp.operation() != ArpFlyweight.OP_REQUEST)
            {
                next(batch, i, NEXT);
                continue;
            }
            final int target = arp.targetIp();
            final long mac = overlay.proxyArpMac(batch.network[i], target);
            if (mac == 0)
            {
                next(batch, i, NEXT);
                continue;
            }
            final long requesterMac = arp.senderMac();
            final int requesterIp = arp.senderIp();
            arp.operation(ArpFlyweight.OP_REPLY).targetMac(requesterMac).targetIp(requesterIp).senderMac(mac).senderIp(target);
            ethernet.wrap(frame, 0);
            ethernet.destination(ethernet.source()).source(mac);
            batch.outPort[i] = batch.inPort[i];
            batch.flags[i] &= ~(PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_MULTICAST);
            count(context, Error.ANSWERED.ordinal());
            next(batch, i, OUTPUT);
        }
    }
}
