package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;

/**
 * ip4-forward: what a router checks before it forwards an admitted packet (Linux's ip_forward).
 * A packet whose TTL would reach 0 gets ICMP time exceeded (RFC 1812 5.3.1). Then it must fit the
 * egress network's MTU ({@link DataplaneSnapshot#networkMtu}, the smallest of its ports'). Wharf does
 * not fragment: a DF packet gets ICMP fragmentation needed with that MTU (RFC 1191), any other is
 * dropped; a GSO super-frame is exempt (the port segments it).
 *
 * <p>Both checks come before the {@value FeatureArc#IP4_POSTROUTING} arc, as Linux makes them before
 * POSTROUTING: after source NAT the error would quote the translated header and go to the translated
 * source (the uplink's address) instead of the container that sent the packet.
 */
public final class Ip4ForwardNode extends Node
{
    public static final String NAME = CoreNodes.IP4_FORWARD;

    private static final int NEXT_POSTROUTING = 0;
    private static final int NEXT_ICMP_ERROR = 1;

    private static final int TIME_EXCEEDED = IcmpErrorNode.encode(IcmpFlyweight.TYPE_TIME_EXCEEDED, IcmpErrorNode.CODE_TTL_EXCEEDED_IN_TRANSIT);

    public enum Error
    {
        /** Counted, not dropped: the packet became an ICMP time exceeded. */
        TTL_EXPIRED,
        /** Counted, not dropped: the packet became an ICMP fragmentation needed. */
        FRAGMENTATION_NEEDED,
        /** Longer than the egress network's MTU without DF: Wharf does not fragment. */
        FRAGMENTATION_UNSUPPORTED
    }

    public Ip4ForwardNode()
    {
        super(NAME, new String[]{FeatureArc.IP4_POSTROUTING, CoreNodes.ICMP_ERROR}, names(Error.values()), names(Error.TTL_EXPIRED, Error.FRAGMENTATION_NEEDED));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final long header = batch.address[i] + batch.l3Offset[i];
            if (Ipv4Flyweight.ttlAt(header) <= 1)
            {
                count(context, Error.TTL_EXPIRED.ordinal());
                batch.icmpError[i] = TIME_EXCEEDED;
                next(batch, i, NEXT_ICMP_ERROR);
                continue;
            }
            final int mtu = snapshot.networkMtu(batch.outNetwork[i]);
            if (Ipv4Flyweight.totalLengthAt(header) > mtu && !OffloadInfo.isGso(batch.offload[i]))
            {
                if (Ipv4Flyweight.dontFragmentAt(header))
                {
                    count(context, Error.FRAGMENTATION_NEEDED.ordinal());
                    batch.icmpError[i] = IcmpErrorNode.encode(
                        IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_FRAGMENTATION_NEEDED, mtu);
                    next(batch, i, NEXT_ICMP_ERROR);
                }
                else
                {
                    drop(batch, i, Error.FRAGMENTATION_UNSUPPORTED.ordinal());
                }
                continue;
            }
            next(batch, i, NEXT_POSTROUTING);
        }
    }
}
