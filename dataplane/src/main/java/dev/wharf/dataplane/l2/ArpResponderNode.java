package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A node for the {@value FeatureArc#L2_FLOOD_IN} arc that answers ARP requests on someone's behalf
 * (proxy ARP, VPP's l2 arp-term): a request whose target a subclass knows ({@link #answer}) becomes the
 * reply in place and leaves by the port it came in on; every other frame goes on to be flooded. The
 * subclass says which addresses it answers for and with which MAC: the overlay for remote endpoints,
 * the load balancer for VIPs inside a network's subnet.
 */
public abstract class ArpResponderNode extends Node
{
    public enum Error
    {
        /** A request answered (not a drop). */
        ANSWERED
    }

    private static final int NEXT = 0;
    private static final int OUTPUT = 1;

    private final ArpFlyweight arp = new ArpFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    protected ArpResponderNode(final String name)
    {
        super(name, new String[]{FeatureArc.NEXT, FeatureArc.L2_OUTPUT}, names(Error.values()), names(Error.ANSWERED));
    }

    /** Whether any address is answered for now: false lets a batch pass with no per-frame look. Once per batch. */
    protected abstract boolean active();

    /**
     * The MAC to answer a request for {@code target} with, from packet {@code i} of {@code batch}, or 0 to
     * let it be flooded.
     */
    protected abstract long answer(PacketBatch batch, int i, int target, WorkerContext context);

    @Override
    public final void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final boolean active = active();
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if (!active || (batch.flags[i] & PacketBatch.FLAG_ARP) == 0)
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
            final long mac = answer(batch, i, target, context);
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
