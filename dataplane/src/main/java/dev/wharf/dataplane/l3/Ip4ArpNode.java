package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.graph.CoreNodes;

import dev.wharf.dataplane.table.NeighbourTable;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.DutyCycleTask;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.Egress;
import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ip4-arp: a routed packet whose next hop has no known MAC (or whose MAC no port has been learned
 * for). The packet itself becomes the ARP request (RFC 826) for the next hop, in place: a receive
 * slot is far larger than the 42 bytes it needs. It is broadcast from the egress network's gateway
 * to every port of that network; the answer is gleaned by arp-input and learned by l2-learn, and the
 * sender's next packet (or its retransmission) goes through.
 *
 * <p>Wharf drops the packet that triggered resolution rather than queueing it, as VPP's ip4-arp
 * does: a queue per unresolved neighbour would be state the fast path has to own, age and bound,
 * and the first packet of a flow to a new neighbour is retransmitted by its sender anyway. The
 * neighbour table asks at most once per {@link NeighbourTable#PROBE_INTERVAL_MS} per address, across
 * workers; a packet that finds a request already in flight is dropped as RESOLVING. A neighbour whose
 * refresh requests went unanswered (FAILED) comes here too and is asked for again by broadcast.
 *
 * <p>Its duty-cycle work ages the neighbour tables: each call gives one network's table the chance of
 * an {@link NeighbourTable#expire} pass (at most one a second per table, whichever worker comes first),
 * so a call costs one table pass at most and the entries removed are counted as NEIGHBOUR_EXPIRED.
 */
public final class Ip4ArpNode extends Node implements DutyCycleTask
{
    public static final String NAME = CoreNodes.IP4_ARP;

    static final int REQUEST_LENGTH = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;

    public enum Error
    {
        /** Dropped after its frame carried the ARP request for the next hop. */
        NEIGHBOUR_MISS,
        /** Dropped while a request for the next hop is in flight. */
        RESOLVING,
        NO_NETWORK,
        /** Not a drop: neighbours removed from the cache after nothing needed them for a while. */
        NEIGHBOUR_EXPIRED
    }

    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private int expiryCursor;

    public Ip4ArpNode()
    {
        super(NAME, new String[0], names(Error.values()), names(Error.NEIGHBOUR_EXPIRED));
    }

    @Override
    public int doDutyCycleWork(final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        final int networks = snapshot.networkSlots();
        if (networks == 0)
        {
            return 0;
        }
        final int n = expiryCursor < networks ? expiryCursor : 0;
        expiryCursor = n + 1;
        final NetworkState network = snapshot.network(n);
        final int removed = network == null ? 0 : network.neighbours.expire(context.nowMs);
        if (removed > 0)
        {
            count(context, Error.NEIGHBOUR_EXPIRED.ordinal(), removed);
        }
        return removed;
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
            final int target = batch.nextHop[i];
            if (!out.neighbours.shouldProbe(target, context.nowMs))
            {
                drop(batch, i, Error.RESOLVING.ordinal());
                continue;
            }
            batch.length[i] = REQUEST_LENGTH;
            batch.vlan[i] = 0;
            batch.offload[i] = 0;
            batch.portPeer[i] = 0; // a broadcast: every peer of a tunnel port
            writeRequest(ethernet, arp, batch.frame(i), MacAddress.BROADCAST, out, target);
            final int[] members = out.portIds;
            for (final int member : members)
            {
                final PortBinding port = snapshot.port(member);
                if (port != null)
                {
                    Egress.send(batch, i, port, context);
                }
            }
            drop(batch, i, Error.NEIGHBOUR_MISS.ordinal());
        }
    }

    /** Writes who-has {@code target}, from {@code out}'s gateway (or this host's own address on it) to {@code destination}, over the first {@link #REQUEST_LENGTH} bytes of {@code frame}. */
    static void writeRequest(
        final EthernetFlyweight ethernet, final ArpFlyweight arp, final UnsafeBuffer frame, final long destination, final NetworkState out,
        final int target)
    {
        // from this host's own address where the gateway's is shared by hosts: the answer must come back here
        final long senderMac = out.hostIp != 0 ? out.hostMac : out.gatewayMac;
        ethernet.wrap(frame, 0);
        ethernet.destination(destination).source(senderMac).etherType(EthernetFlyweight.TYPE_ARP);
        arp.wrap(frame, EthernetFlyweight.HEADER_LENGTH);
        arp.ethernetIpv4().operation(ArpFlyweight.OP_REQUEST)
            .senderMac(senderMac)
            .senderIp(out.hostIp != 0 ? out.hostIp : out.gatewayIp)
            .targetMac(0)
            .targetIp(target);
    }
}
