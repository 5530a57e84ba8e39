package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.worker.Pipeline;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ip4-rewrite: the last step of forwarding a routed packet (RFC 1812 5.3.1, 5.2.3). The next hop's
 * MAC comes from the egress network's neighbour table and its port from that network's FDB; when
 * either is unknown, ip4-arp asks for it (an ARP reply teaches both). The packet must fit the egress
 * port's MTU: Wharf does not fragment, so a DF packet gets ICMP fragmentation needed with that MTU
 * (RFC 1191) and any other is dropped. Then TTL minus one with an incremental header checksum
 * update (RFC 1624), the gateway MAC of the egress network as source, the neighbour as destination.
 *
 * <p>The MTU is checked before anything is rewritten, so the quoted header of a fragmentation-needed
 * error is the one the sender sent (as far as NAT left it). A GSO super-frame is exempt (the port
 * segments it); a partial L4 checksum (OffloadInfo NEEDS_CSUM) is left as is, because neither TTL
 * nor the IP checksum is in the pseudo-header. Routed packets leave in the network's untagged VLAN.
 */
public final class Ip4RewriteNode extends Node
{
    public static final String NAME = Pipeline.IP4_REWRITE;

    private static final int NEXT_OUTPUT = 0;
    private static final int NEXT_ARP = 1;
    private static final int NEXT_ICMP_ERROR = 2;

    public enum Error
    {
        /** Counted, not dropped: the packet became an ICMP fragmentation needed. */
        FRAGMENTATION_NEEDED,
        FRAGMENTATION_UNSUPPORTED,
        NO_NETWORK
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    public Ip4RewriteNode()
    {
        super(NAME, new String[]{InterfaceOutputNode.NAME, Ip4ArpNode.NAME, IcmpErrorNode.NAME}, names(Error.values()));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final NetworkState out = snapshot.network(batch.outNetwork[i]);
            if (out == null)
            {
                drop(batch, i, Error.NO_NETWORK.ordinal());
                continue;
            }
            final long mac = out.neighbours.lookup(batch.nextHop[i]);
            final int port = mac == NeighbourTable.MISSING ? -1 : out.fdb.lookup(mac, 0);
            final PortBinding egress = snapshot.port(port);
            if (egress == null || egress.network != out.index)
            {
                next(batch, i, NEXT_ARP);
                continue;
            }
            final int l3 = batch.l3Offset[i];
            final UnsafeBuffer frame = batch.frame(i);
            ip.wrap(frame, l3);
            final int totalLength = ip.totalLength();
            final long offload = batch.offload[i];
            if (totalLength > egress.mtu && !OffloadInfo.isGso(offload))
            {
                if (ip.dontFragment())
                {
                    count(context, Error.FRAGMENTATION_NEEDED.ordinal());
                    batch.icmpError[i] = IcmpErrorNode.encode(
                        IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_FRAGMENTATION_NEEDED, egress.mtu);
                    next(batch, i, NEXT_ICMP_ERROR);
                }
                else
                {
                    drop(batch, i, Error.FRAGMENTATION_UNSUPPORTED.ordinal());
                }
                continue;
            }
            final int ttl = ip.ttl();
            final int protocol = ip.protocol();
            ip.ttl(ttl - 1).checksum(Checksums.update16(ip.checksum(), (ttl << 8) | protocol, ((ttl - 1) << 8) | protocol));
            ethernet.wrap(frame, 0);
            ethernet.destination(mac).source(out.gatewayMac);
            if (!OffloadInfo.isGso(offload))
            {
                batch.length[i] = l3 + totalLength; // Ethernet padding from a short frame is not the next link's business
            }
            batch.vlan[i] = 0;
            batch.outPort[i] = egress.id;
            next(batch, i, NEXT_OUTPUT);
        }
    }
}
