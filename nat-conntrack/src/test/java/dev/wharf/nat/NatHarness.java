package dev.wharf.nat;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.testing.Fixture;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's NAT path with stand-ins for the routing nodes: ip4-nat-in, an ip4-lookup that routes
 * by subnet (anything off the container networks to the uplink), ip4-nat-out, an ip4-rewrite that
 * collects what reaches it, and the drop node. Frames live in direct buffers, as in a port's ring.
 */
final class NatHarness
{
    static final int UPLINK = 0;
    static final int FRONT = 1;
    static final int BACK = 2;
    static final int UPLINK_IP = Fixture.ipv4Value("203.0.113.10");
    static final int FRONT_GW = Fixture.ipv4Value("172.18.0.1");
    static final int C1 = Fixture.ipv4Value("172.18.0.2");
    static final int C2 = Fixture.ipv4Value("172.18.0.3");
    static final int S = Fixture.ipv4Value("198.51.100.7");
    static final int X = Fixture.ipv4Value("192.0.2.50");

    final NatService service;
    final NodeGraph graph;
    final WorkerContext context;
    final PacketBatch batch = new PacketBatch();
    private final Rewrite rewrite = new Rewrite(CoreNodes.IP4_REWRITE);
    /** tcp-reset's and icmp-error's stand-ins: the packets ip4-nat-in refused or ended. */
    private final Rewrite resets = new Rewrite(CoreNodes.TCP_RESET);
    private final Rewrite icmpErrors = new Rewrite(CoreNodes.ICMP_ERROR);
    private final List<ByteBuffer> memory = new ArrayList<>();

    NatHarness(final NatConfiguration configuration)
    {
        this(new NatService(configuration), 0);
    }

    NatHarness(final NatService service, final int worker)
    {
        this.service = service;
        service.masquerade(BACK, false);
        // the real composer puts the feature's nodes on the two arcs around the stand-ins
        graph = new GraphComposer()
            .arc(FeatureArc.IP4_PREROUTING)
            .node(new Lookup())
            .arc(FeatureArc.IP4_POSTROUTING)
            .node(rewrite)
            .node(resets)
            .node(icmpErrors)
            .node(new DropNode())
            .features(worker, List.of(service.feature()))
            .compose();
        context = new WorkerContext(worker, graph.layout());
        context.snapshot = snapshot();
        context.nowMs = 1_000_000;
    }

    static DataplaneSnapshot snapshot()
    {
        final NetworkState[] networks = {
            network(UPLINK, "uplink", "203.0.113.0", 24, UPLINK_IP, true),
            network(FRONT, "front", "172.18.0.0", 16, FRONT_GW, false),
            network(BACK, "back", "172.19.0.0", 16, Fixture.ipv4Value("172.19.0.1"), false)};
        return new DataplaneSnapshot(1, networks, new PortBinding[0], 1);
    }

    private static NetworkState network(
        final int index, final String name, final String subnet, final int prefix, final int gateway, final boolean uplink)
    {
        return new NetworkState(index, name, Fixture.ipv4Value(subnet), prefix, gateway, 0x02_42_00_00_00_01L + index,
            new FdbTable(64, 64), new int[0], NetworkPolicy.DEFAULT, uplink,
            uplink ? Fixture.ipv4Value("203.0.113.1") : 0, new NeighbourTable(16), new long[0]);
    }

    /** Gives {@code network} this host's own address beside its gateway's, as an overlay network with --host-address has. */
    void hostAddress(final int network, final int ip)
    {
        final NetworkState[] networks = context.snapshot.networksCopy();
        networks[network] = networks[network].withHostAddress(ip, 0x02_42_00_00_00_FAL);
        context.snapshot = new DataplaneSnapshot(2, networks, new PortBinding[0], 1);
    }

    /** {@link Result#dropReason} of a packet sent on to tcp-reset (its answer is a reset). */
    static final String TO_TCP_RESET = "-> tcp-reset";
    /** {@link Result#dropReason} of a packet sent on to icmp-error (with {@code batch.icmpError} set). */
    static final String TO_ICMP_ERROR = "-> icmp-error";

    /** One packet's fate: the frame as it left (or null when dropped) and the drop reason. */
    record Result(byte[] frame, String dropReason, int flags)
    {
        boolean dropped()
        {
            return frame == null;
        }
    }

    Result send(final int network, final byte[] frame)
    {
        return send(network, frame, 0);
    }

    Result send(final int network, final byte[] frame, final long offload)
    {
        return sendAll(network, List.of(frame), offload).get(0);
    }

    /** Sends frames as one batch, all entering from {@code network}. */
    List<Result> sendAll(final int network, final List<byte[]> frames, final long offload)
    {
        batch.clear();
        for (final byte[] bytes : frames)
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 64);
            memory.add(buffer);
            final UnsafeBuffer view = new UnsafeBuffer(buffer);
            view.putBytes(64, bytes);
            final int i = batch.add(view.addressOffset() + 64, bytes.length, 64, 1);
            batch.network[i] = network;
            batch.l3Offset[i] = 14;
            batch.l4Offset[i] = 14 + ((bytes[14] & 0xF) << 2);
            batch.flags[i] = PacketBatch.FLAG_IPV4;
            batch.offload[i] = offload;
        }
        final int[] before = new int[graph.layout().errorCount()];
        for (int e = 0; e < before.length; e++)
        {
            before[e] = (int)context.counters.get(e);
        }
        rewrite.reached.clear();
        resets.reached.clear();
        icmpErrors.reached.clear();
        graph.run(batch, context);
        final List<Result> results = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++)
        {
            if (rewrite.reached.contains(i))
            {
                final byte[] out = new byte[batch.length[i]];
                batch.frame(i).getBytes(0, out);
                results.add(new Result(out, null, batch.flags[i]));
            }
            else if (resets.reached.contains(i) || icmpErrors.reached.contains(i))
            {
                results.add(new Result(null, resets.reached.contains(i) ? TO_TCP_RESET : TO_ICMP_ERROR, batch.flags[i]));
            }
            else
            {
                results.add(new Result(null, graph.layout().errorName(batch.dropReason[i]), batch.flags[i]));
            }
        }
        return results;
    }

    long counter(final String name)
    {
        return context.counters.get(graph.layout().errorId(name));
    }

    /** ip4-lookup's stand-in: the container network holding the destination, else the uplink. */
    static final class Lookup extends Node
    {
        Lookup()
        {
            super(CoreNodes.IP4_LOOKUP, new String[]{FeatureArc.IP4_POSTROUTING}, new String[0]);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                final int i = packets[k];
                // as ip4-lookup: toward the next hop a feature chose (direct server return), else the destination
                final int destination = (batch.flags[i] & PacketBatch.FLAG_NEXT_HOP_SET) != 0 ? batch.nextHop[i] :
                    batch.frame(i).getInt(batch.l3Offset[i] + 16, java.nio.ByteOrder.BIG_ENDIAN);
                int out = context.snapshot.uplinkIndex();
                for (int n = 0; n < context.snapshot.networkSlots(); n++)
                {
                    final NetworkState network = context.snapshot.network(n);
                    if (!network.uplink && network.contains(destination))
                    {
                        out = n;
                    }
                }
                batch.outNetwork[i] = out;
                next(batch, i, 0);
            }
        }
    }

    /** A stand-in for the core node named {@code name} (ip4-rewrite, tcp-reset, icmp-error): notes who reached it. */
    static final class Rewrite extends Node
    {
        final List<Integer> reached = new ArrayList<>();

        Rewrite(final String name)
        {
            super(name, new String[0], new String[0]);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                reached.add(packets[k]);
                done(batch, packets[k]);
            }
        }
    }

    static int u16(final byte[] frame, final int offset)
    {
        return ((frame[offset] & 0xFF) << 8) | (frame[offset + 1] & 0xFF);
    }

    static int u32(final byte[] frame, final int offset)
    {
        return (u16(frame, offset) << 16) | u16(frame, offset + 2);
    }

    /** The frame with its L4 source port (bytes 34-35, a 20-byte IP header) changed; checksums left as they were. */
    static byte[] withSourcePort(final byte[] frame, final int port)
    {
        final byte[] copy = frame.clone();
        copy[34] = (byte)(port >>> 8);
        copy[35] = (byte)port;
        return copy;
    }
}
