package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.gateway.Ip4LocalNode;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.worker.Pipeline;

/**
 * ip4-lookup: the routing decision for an IPv4 packet sent to a gateway MAC, made after ip4-nat-in
 * has translated the destination of a published port. The table is implied by the configuration:
 * <ol>
 *   <li>a gateway address of any network (the uplink's address among them) is local: ip4-local;</li>
 *   <li>an address inside a container network's subnet is on that network, and is its own next hop;</li>
 *   <li>anything else leaves through the uplink, to its default gateway (or directly, when it is on the
 *       uplink's subnet). Without an uplink: ICMP net unreachable.</li>
 * </ol>
 *
 * <p>Then isolation, as Docker's bridge driver enforces it with iptables, unless the packet belongs to
 * a tracked connection ({@link PacketBatch#FLAG_CT_ESTABLISHED}, checked when it began):
 * an {@code internal} network and the uplink never exchange packets; the outside reaches containers
 * only through published ports ({@link PacketBatch#FLAG_CT_DNAT}); two container networks talk only
 * when the user connected them (or through a published port); a packet routed back into its own
 * network (hairpin) passes only when the network allows inter-container traffic or it is a published
 * port's. Isolation comes before the TTL check, so a refused packet earns no time-exceeded message
 * (Linux checks TTL first, and thereby tells a scanner what its FORWARD rules would hide).
 *
 * <p>A forwarded packet whose TTL would reach 0 gets ICMP time exceeded (RFC 1812 5.3.1). Limited,
 * directed and multicast destinations are never forwarded (RFC 1812 5.3.5, RFC 2644), nor are
 * packets from martian sources (5.3.7).
 *
 * <p>Last, the packet must fit the egress network's MTU ({@link DataplaneSnapshot#networkMtu}, the
 * smallest of its ports'). Wharf does not fragment: a DF packet gets ICMP fragmentation needed with
 * that MTU (RFC 1191), any other is dropped; a GSO super-frame is exempt (the port segments it). The
 * check is made here, before ip4-nat-out, as Linux makes it in ip_forward before POSTROUTING: after
 * source NAT the error would quote the translated header and go to the translated source (the
 * uplink's address) instead of the container that sent the packet. Sets {@link PacketBatch#outNetwork} and
 * {@link PacketBatch#nextHop}; ip4-rewrite resolves and rewrites after ip4-nat-out.
 */
public final class Ip4LookupNode extends Node
{
    public static final String NAME = Pipeline.IP4_LOOKUP;

    private static final int NEXT_LOCAL = 0;
    private static final int NEXT_NAT_OUT = 1;
    private static final int NEXT_ICMP_ERROR = 2;

    private static final int TIME_EXCEEDED = IcmpErrorNode.encode(IcmpFlyweight.TYPE_TIME_EXCEEDED, IcmpErrorNode.CODE_TTL_EXCEEDED_IN_TRANSIT);
    private static final int NET_UNREACHABLE = IcmpErrorNode.encode(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_NET_UNREACHABLE);

    public enum Error
    {
        /** Counted, not dropped: the packet became an ICMP net unreachable. */
        NO_ROUTE,
        /** Counted, not dropped: the packet became an ICMP time exceeded. */
        TTL_EXPIRED,
        /** Counted, not dropped: the packet became an ICMP fragmentation needed. */
        FRAGMENTATION_NEEDED,
        /** Longer than the egress network's MTU without DF: Wharf does not fragment. */
        FRAGMENTATION_UNSUPPORTED,
        INTERNAL_NETWORK,
        UNSOLICITED_INBOUND,
        NETWORKS_ISOLATED,
        ICC_DENIED,
        BAD_DESTINATION,
        MARTIAN_SOURCE,
        NO_NETWORK
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    public Ip4LookupNode()
    {
        super(NAME, new String[]{Ip4LocalNode.NAME, Pipeline.IP4_NAT_OUT, IcmpErrorNode.NAME}, names(Error.values()));
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
            ip.wrap(batch.frame(i), batch.l3Offset[i]);
            final int destination = ip.destination();
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
            if (!IcmpErrorNode.isUnicastHost(ip.source()))
            {
                drop(batch, i, Error.MARTIAN_SOURCE.ordinal());
                continue;
            }
            final NetworkState out = snapshot.route(destination);
            if (out == null)
            {
                count(context, Error.NO_ROUTE.ordinal());
                batch.icmpError[i] = NET_UNREACHABLE;
                next(batch, i, NEXT_ICMP_ERROR);
                continue;
            }
            if (IcmpErrorNode.isSubnetBroadcast(out, destination))
            {
                drop(batch, i, Error.BAD_DESTINATION.ordinal());
                continue;
            }
            final int refusal = (batch.flags[i] & PacketBatch.FLAG_CT_ESTABLISHED) != 0 ? -1 : isolation(in, out, batch.flags[i]);
            if (refusal >= 0)
            {
                drop(batch, i, refusal);
                continue;
            }
            if (ip.ttl() <= 1)
            {
                count(context, Error.TTL_EXPIRED.ordinal());
                batch.icmpError[i] = TIME_EXCEEDED;
                next(batch, i, NEXT_ICMP_ERROR);
                continue;
            }
            final int mtu = snapshot.networkMtu(out.index);
            if (ip.totalLength() > mtu && !OffloadInfo.isGso(batch.offload[i]))
            {
                if (ip.dontFragment())
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
            batch.outNetwork[i] = out.index;
            batch.nextHop[i] = out.uplink && !out.contains(destination) ? out.defaultGateway : destination;
            next(batch, i, NEXT_NAT_OUT);
        }
    }

    /** @return the error ordinal isolation drops the packet under, or -1 when it may pass. */
    private static int isolation(final NetworkState in, final NetworkState out, final int flags)
    {
        final boolean published = (flags & PacketBatch.FLAG_CT_DNAT) != 0;
        if ((in.policy.internal() && out.uplink) || (out.policy.internal() && in.uplink))
        {
            return Error.INTERNAL_NETWORK.ordinal();
        }
        if (in.uplink)
        {
            return published ? -1 : Error.UNSOLICITED_INBOUND.ordinal();
        }
        if (out.uplink || published)
        {
            return -1;
        }
        if (in.index == out.index)
        {
            return in.policy.icc() ? -1 : Error.ICC_DENIED.ordinal();
        }
        return in.isConnectedTo(out.index) ? -1 : Error.NETWORKS_ISOLATED.ordinal();
    }
}
