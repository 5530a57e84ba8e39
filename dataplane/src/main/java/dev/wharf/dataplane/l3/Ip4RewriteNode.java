package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;

import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.Egress;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ip4-rewrite: the last step of forwarding a routed packet (RFC 1812 5.3.1, 5.2.3). The next hop's
 * MAC comes from the egress network's neighbour table and its port from that network's FDB; when
 * either is unknown, ip4-arp asks for it (an ARP reply teaches both). Then TTL minus one with an
 * incremental header checksum update (RFC 1624), the gateway MAC of the egress network as source,
 * the neighbour as destination.
 *
 * <p>The MTU decision (ICMP fragmentation needed or a drop) is ip4-forward's, made before the
 * postrouting arc (source NAT) against the egress network's MTU, the smallest of its ports'. What
 * remains here is a guard for a chosen port whose MTU is smaller still than the packet (the port is a
 * member of the network, so only a feature that lengthened the packet gets here): such a packet is
 * dropped and counted, never answered with ICMP, because the postrouting arc has already run and the
 * error would quote the translated header and go to the translated source (the uplink's address), not
 * to the sender. A GSO super-frame is exempt (the port segments it); a partial L4
 * checksum (OffloadInfo NEEDS_CSUM) is left as is, because neither TTL nor the IP checksum is in the
 * pseudo-header. Routed packets leave in the network's untagged VLAN.
 *
 * <p>A STALE neighbour (see {@link NeighbourTable}) is still forwarded to, and the table chooses at
 * most one packet a second, across workers, whose node also asks the neighbour again: a unicast ARP
 * request to the MAC it has, out of the port the packet leaves by (Linux's PROBE). Ports copy a frame
 * when they queue it, so the request is written over the first 42 bytes of the packet's own slot, sent
 * through {@link Egress} (its counters, capture and MTU rules), and those bytes put back: no extra
 * buffer, no lost packet. It is counted as NEIGHBOUR_REFRESH. An answer makes the entry REACHABLE
 * again; after {@link NeighbourTable#MAX_PROBES} unanswered ones the lookup misses and ip4-arp asks by
 * broadcast.
 */
public final class Ip4RewriteNode extends Node
{
    public static final String NAME = CoreNodes.IP4_REWRITE;

    private static final int NEXT_OUTPUT = 0;
    private static final int NEXT_ARP = 1;

    public enum Error
    {
        /** Longer than the chosen port's MTU, which is below the network's (ip4-lookup checked that one). */
        PORT_MTU_EXCEEDED,
        NO_NETWORK,
        /** Not a drop: a unicast ARP request sent to a STALE neighbour along with the packet. */
        NEIGHBOUR_REFRESH
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    /** The bytes of a packet that a refresh request borrows while it is sent. */
    private final UnsafeBuffer saved = new UnsafeBuffer(new byte[Ip4ArpNode.REQUEST_LENGTH]);

    public Ip4RewriteNode()
    {
        super(NAME, new String[]{FeatureArc.L2_OUTPUT, CoreNodes.IP4_ARP}, names(Error.values()), names(Error.NEIGHBOUR_REFRESH));
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
            final int nextHop = batch.nextHop[i];
            final long neighbour = out.neighbours.lookup(nextHop, context.nowMs);
            final long mac = NeighbourTable.mac(neighbour);
            final long entry = neighbour == NeighbourTable.MISSING ? FdbTable.MISSING : out.fdb.lookupEntry(mac, 0);
            final PortBinding egress = entry == FdbTable.MISSING ? null : snapshot.port(FdbTable.portOf(entry));
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
                // no ICMP after NAT: it would quote the translated header and go to the translated source
                drop(batch, i, Error.PORT_MTU_EXCEEDED.ordinal());
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
            batch.portPeer[i] = FdbTable.peerOf(entry);
            if (NeighbourTable.isStale(neighbour) && out.neighbours.needsRefresh(nextHop, context.nowMs))
            {
                refresh(batch, i, out, egress, mac, nextHop, context);
            }
            next(batch, i, NEXT_OUTPUT);
        }
    }

    /** Sends who-has {@code target} to {@code mac} out of {@code egress}, borrowing packet {@code i}'s slot. */
    private void refresh(
        final PacketBatch batch, final int i, final NetworkState out, final PortBinding egress, final long mac, final int target,
        final WorkerContext context)
    {
        final int length = batch.length[i];
        final long offload = batch.offload[i];
        batch.length[i] = Ip4ArpNode.REQUEST_LENGTH; // a slot is far larger than a request, however short the packet
        batch.offload[i] = 0;
        final UnsafeBuffer frame = batch.frame(i);
        frame.getBytes(0, saved, 0, Ip4ArpNode.REQUEST_LENGTH);
        Ip4ArpNode.writeRequest(ethernet, arp, frame, mac, out, target);
        Egress.send(batch, i, egress, context);
        frame.putBytes(0, saved, 0, Ip4ArpNode.REQUEST_LENGTH);
        batch.length[i] = length;
        batch.offload[i] = offload;
        count(context, Error.NEIGHBOUR_REFRESH.ordinal());
    }
}
