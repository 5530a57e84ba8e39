package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;

/**
 * ip4-lookup: the routing decision for an IPv4 packet sent to a gateway MAC, made after the
 * {@value FeatureArc#IP4_PREROUTING} arc (where NAT translates the destination of a published port).
 * The table is implied by the configuration:
 * <ol>
 *   <li>a gateway address of any network (the uplink's address among them) is local: the
 *       {@value FeatureArc#IP4_LOCAL} arc, then ip4-local;</li>
 *   <li>an address inside a container network's subnet is on that network, and is its own next hop;</li>
 *   <li>anything else leaves through the uplink, to its default gateway (or directly, when it is on the
 *       uplink's subnet). Without an uplink: ICMP net unreachable.</li>
 * </ol>
 *
 * <p>Limited, directed and multicast destinations are never forwarded (RFC 1812 5.3.5, RFC 2644), nor
 * are packets from martian sources (5.3.7). Sets {@link PacketBatch#outNetwork} and
 * {@link PacketBatch#nextHop}; ip4-isolation decides whether the packet may go there, ip4-forward
 * checks TTL and MTU, and ip4-rewrite resolves and rewrites after the {@value FeatureArc#IP4_POSTROUTING} arc.
 */
public final class Ip4LookupNode extends Node
{
    public static final String NAME = CoreNodes.IP4_LOOKUP;

    private static final int NEXT_LOCAL = 0;
    private static final int NEXT_ISOLATION = 1;
    private static final int NEXT_ICMP_ERROR = 2;

    private static final int NET_UNREACHABLE = IcmpErrorNode.encode(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_NET_UNREACHABLE);

    public enum Error
    {
        /** Counted, not dropped: the packet became an ICMP net unreachable. */
        NO_ROUTE,
        BAD_DESTINATION,
        MARTIAN_SOURCE,
        NO_NETWORK
    }

    public Ip4LookupNode()
    {
        super(NAME, new String[]{FeatureArc.IP4_LOCAL, CoreNodes.IP4_ISOLATION, CoreNodes.ICMP_ERROR}, names(Error.values()), names(Error.NO_ROUTE));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final NetworkState in = snapshot.network(batch.network[i]);
            if (in == null)
            {
                drop(batch, i, Error.NO_NETWORK.ordinal());
                continue;
            }
            final long header = batch.address[i] + batch.l3Offset[i];
            final int destination = Ipv4Flyweight.destinationAt(header);
            if (snapshot.isLocal(destination))
            {
                next(batch, i, NEXT_LOCAL);
                continue;
            }
            if (IcmpErrorNode.isMulticastOrBroadcast(destination) || (destination >>> 24) == 0 || (destination >>> 24) == 127)
            {
                drop(batch, i, Error.BAD_DESTINATION.ordinal());
                continue;
            }
            if (!IcmpErrorNode.isUnicastHost(Ipv4Flyweight.sourceAt(header)))
            {
                drop(batch, i, Error.MARTIAN_SOURCE.ordinal());
                continue;
            }
            // toward the next hop a feature chose (direct server return), else the destination
            final int target = (batch.flags[i] & PacketBatch.FLAG_NEXT_HOP_SET) != 0 ? batch.nextHop[i] : destination;
            final NetworkState out = snapshot.route(target);
            if (out == null)
            {
                count(context, Error.NO_ROUTE.ordinal());
                batch.icmpError[i] = NET_UNREACHABLE;
                next(batch, i, NEXT_ICMP_ERROR);
                continue;
            }
            if (IcmpErrorNode.isSubnetBroadcast(out, target))
            {
                drop(batch, i, Error.BAD_DESTINATION.ordinal());
                continue;
            }
            batch.outNetwork[i] = out.index;
            batch.nextHop[i] = out.uplink && !out.contains(target) ? out.defaultGateway : target;
            next(batch, i, NEXT_ISOLATION);
        }
    }
}
