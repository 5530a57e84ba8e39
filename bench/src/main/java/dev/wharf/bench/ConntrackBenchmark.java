package dev.wharf.bench;

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
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.ConntrackTable;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Connection tracking and NAT with 1,000,000 tracked flows, in ns per packet, through one worker's
 * ip4-nat-in, ip4-user-rules and ip4-nat-out (ip4-lookup's routing decision is preset):
 * <ul>
 * <li>{@code established}: a 64-byte TCP segment of a masqueraded flow: lookup, state and expiry
 *     check, SNAT rewrite with incremental checksums ({@code direction=reply}: a segment of the
 *     reply, from the outside to the uplink address, translated back to the container, as downloads
 *     are), a whole batch of 256 through the three nodes as a worker runs them. The batches cycle over 262,144 frames, each of a different
 *     flow drawn at random (fixed seed) from the million, so neither the table's lines (tens of MB
 *     touched) nor their order are cache- or prefetcher-friendly: lookups miss the CPU caches as a
 *     busy host's would. {@code restoreOnly} is the cost of copying the rewritten headers back and
 *     presenting the batch before each invocation, included in {@code established}, to subtract.</li>
 * <li>{@code newFlow}: the first packet of a masqueraded connection: lookup miss, published-port and
 *     local-address checks, rules, source-port allocation and {@link ConntrackTable#create}. The
 *     flows a batch made are removed between invocations (not measured).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true",
    "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseTransparentHugePages", // as the launcher runs the daemon: the table's tens of MB on 2 MB pages
    "-Xmx2g"})
@State(Scope.Thread)
public class ConntrackBenchmark
{
    static final int FLOWS = 1_000_000;
    static final int FLOWS_PER_GROUP = 50_000;
    static final int FIRST_PORT = 10_000;
    static final int UPLINK = 0;
    static final int FRONT = 1;
    static final int UPLINK_IP = 0xCB00_710A; // 203.0.113.10
    static final int FRONT_GW = 0xAC12_0001;  // 172.18.0.1
    private static final int BATCH = PacketBatch.CAPACITY;
    /** Batches of distinct flows cycled through (a power of two); {@code -Dwharf.bench.conntrack.batches} for experiments. */
    private static final int BATCHES = Integer.getInteger("wharf.bench.conntrack.batches", 1024);
    private static final int FRAME = 64;
    private static final long NOW_MS = 1_000_000;

    /** Which way the established flows' packets go: {@code original} (out, SNAT) or {@code reply} (back in). */
    @Param({"original", "reply"})
    public String direction;

    /** {@link #direction} is {@code reply}: read once at setup, not per invocation. */
    private boolean reply;
    private NatService service;
    private Node natIn;
    private Node userRules;
    private Node natOut;
    private WorkerContext context;
    private OffHeapFrames established;
    private OffHeapFrames fresh;
    private final PacketBatch batch = new PacketBatch();
    private final int[] packets = new int[BATCH];
    private int cursor;

    @Setup(Level.Trial)
    public void setUp()
    {
        reply = "reply".equals(direction);
        service = new NatService(NatConfiguration.defaults().withMaxFlows(FLOWS + 65_536));
        // the feature's nodes composed onto the two arcs around stand-ins for the routing nodes, as the daemon composes them
        final NodeGraph graph = new GraphComposer()
            .arc(FeatureArc.IP4_PREROUTING)
            .node(new StandIn(CoreNodes.IP4_LOOKUP, FeatureArc.IP4_POSTROUTING))
            .arc(FeatureArc.IP4_POSTROUTING)
            .node(new StandIn(CoreNodes.IP4_REWRITE, null))
            // nat-in's answers to a refused connection (a VIP without backends): never taken here
            .node(new StandIn(CoreNodes.TCP_RESET, null))
            .node(new StandIn(CoreNodes.ICMP_ERROR, null))
            .node(new DropNode())
            .features(0, List.of(service.feature()))
            .compose();
        natIn = graph.node(graph.nodeId("ip4-nat-in"));
        userRules = graph.node(graph.nodeId("ip4-user-rules"));
        natOut = graph.node(graph.nodeId("ip4-nat-out"));
        context = new WorkerContext(0, graph.layout());
        context.snapshot = snapshot();
        context.nowMs = NOW_MS;
        fill(service.table(), FLOWS);
        for (int k = 0; k < BATCH; k++)
        {
            packets[k] = k;
        }
        established = new OffHeapFrames(BATCH * BATCHES, FRAME);
        final int[] flows = randomFlows(BATCH * BATCHES);
        for (int f = 0; f < BATCH * BATCHES; f++)
        {
            final int flow = flows[f];
            if (reply)
            {
                writeTcp(established.frame(f), server(flow), UPLINK_IP, 80, port(flow), 0x10);
            }
            else
            {
                writeTcp(established.frame(f), client(flow), server(flow), port(flow), 80, 0x10);
            }
            established.length[f] = FRAME;
        }
        established.keepPristine();
        fresh = new OffHeapFrames(BATCH, FRAME);
        for (int f = 0; f < BATCH; f++)
        {
            // new connections to a server no prefilled flow uses: the original port is free
            writeTcp(fresh.frame(f), 0xAC12_F002 + f, 0x0808_0808, 20_000 + f, 443, 0x02);
            fresh.length[f] = FRAME;
        }
        fresh.keepPristine();
        established();
        for (int i = 0; i < BATCH; i++)
        {
            if ((batch.flags[i] & PacketBatch.FLAG_ESTABLISHED) == 0)
            {
                throw new IllegalStateException("packet " + i + " did not take the established path: the benchmark would measure another");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        established.close();
        fresh.close();
    }

    /** {@code count} distinct flows in random order (a partial Fisher-Yates shuffle with a fixed seed). */
    static int[] randomFlows(final int count)
    {
        final int[] flows = new int[FLOWS];
        for (int f = 0; f < FLOWS; f++)
        {
            flows[f] = f;
        }
        final java.util.SplittableRandom random = new java.util.SplittableRandom(0x5EED);
        for (int f = 0; f < count; f++)
        {
            final int pick = f + random.nextInt(FLOWS - f);
            final int swap = flows[f];
            flows[f] = flows[pick];
            flows[pick] = swap;
        }
        return java.util.Arrays.copyOf(flows, count);
    }

    static int client(final int flow)
    {
        return 0xAC12_0002 + ((flow / FLOWS_PER_GROUP) << 8); // 172.18.g.2
    }

    static int server(final int flow)
    {
        return 0xC633_0007 + ((flow / FLOWS_PER_GROUP) << 8); // 198.51.g.7
    }

    static int port(final int flow)
    {
        return FIRST_PORT + flow % FLOWS_PER_GROUP;
    }

    /** Masqueraded TCP flows as ip4-nat-out would have made them, each established and assured. */
    static void fill(final ConntrackTable table, final int flows)
    {
        final int state = ConnectionState.with(ConnectionState.FLAG_ASSURED | ConnectionState.FLAG_SEEN_REPLY, ConnectionState.ESTABLISHED);
        for (int flow = 0; flow < flows; flow++)
        {
            final int created = table.create(
                FlowKey.addresses(client(flow), server(flow)), FlowKey.ports(6, FRONT, port(flow), 80),
                FlowKey.addresses(server(flow), UPLINK_IP), FlowKey.ports(6, UPLINK, 80, port(flow)),
                state, NOW_MS + 432_000_000L);
            if (created < 0)
            {
                throw new IllegalStateException("prefill failed at flow " + flow + ": " + created);
            }
        }
    }

    static DataplaneSnapshot snapshot()
    {
        final NetworkState[] networks = {
            new NetworkState(UPLINK, "uplink", 0xCB00_7100, 24, UPLINK_IP, 0x02_42_00_00_00_01L, new FdbTable(64, 64), new int[0],
                NetworkPolicy.DEFAULT, true, 0xCB00_7101, new NeighbourTable(16), new long[0]),
            new NetworkState(FRONT, "front", 0xAC12_0000, 16, FRONT_GW, 0x02_42_00_00_00_02L, new FdbTable(64, 64), new int[0],
                NetworkPolicy.DEFAULT, false, 0, new NeighbourTable(16), new long[0])};
        return new DataplaneSnapshot(1, networks, new PortBinding[0], 1);
    }

    /** A 64-byte Ethernet/IPv4/TCP frame (10 bytes of payload) with valid checksums. */
    static void writeTcp(final UnsafeBuffer frame, final int source, final int destination, final int sourcePort,
        final int destinationPort, final int flags)
    {
        frame.setMemory(0, FRAME, (byte)0);
        frame.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(frame, 14);
        frame.putByte(14, (byte)0x45);
        ip.totalLength(FRAME - 14).ttl(64);
        frame.putByte(14 + Ipv4Flyweight.PROTOCOL_OFFSET, (byte)6);
        ip.source(source).destination(destination).updateChecksum();
        frame.putShort(34, (short)sourcePort, ByteOrder.BIG_ENDIAN);
        frame.putShort(36, (short)destinationPort, ByteOrder.BIG_ENDIAN);
        frame.putInt(38, 1000, ByteOrder.BIG_ENDIAN);
        frame.putByte(46, (byte)0x50);
        frame.putByte(47, (byte)flags);
        frame.putShort(48, (short)8192, ByteOrder.BIG_ENDIAN);
        final int l4Length = FRAME - 34;
        frame.putShort(50, (short)Checksums.finish(Checksums.sum(frame, 34, l4Length, ip.pseudoHeaderSum(l4Length))),
            ByteOrder.BIG_ENDIAN);
    }

    private void present(final OffHeapFrames frames, final int first, final boolean replies)
    {
        frames.refill(batch, first, BATCH);
        final int in = replies ? UPLINK : FRONT;
        final int out = replies ? FRONT : UPLINK;
        for (int i = 0; i < BATCH; i++)
        {
            batch.network[i] = in;
            batch.outNetwork[i] = out;
            batch.l3Offset[i] = 14;
            batch.l4Offset[i] = 34;
            batch.flags[i] = PacketBatch.FLAG_IPV4;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int established()
    {
        final int first = (cursor++ & (BATCHES - 1)) * BATCH;
        established.restoreHeaders(first, BATCH, FRAME);
        present(established, first, reply);
        natIn.process(batch, packets, BATCH, context);
        userRules.process(batch, packets, BATCH, context);
        natOut.process(batch, packets, BATCH, context);
        return batch.next[BATCH - 1];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int restoreOnly()
    {
        final int first = (cursor++ & (BATCHES - 1)) * BATCH;
        established.restoreHeaders(first, BATCH, FRAME);
        present(established, first, reply);
        return batch.next[BATCH - 1];
    }

    /** Removes the flows the previous {@link #newFlow} made and restores its frames. */
    @Setup(Level.Invocation)
    public void forgetNewFlows()
    {
        final ConntrackTable table = service.table();
        for (int f = 0; f < BATCH; f++)
        {
            final long handle = table.lookup(FlowKey.addresses(0xAC12_F002 + f, 0x0808_0808), FlowKey.ports(6, FRONT, 20_000 + f, 443));
            if (handle != ConntrackTable.NOT_FOUND)
            {
                table.remove(ConntrackTable.flowOf(ConntrackTable.nodeOf(handle)), ConntrackTable.generationOf(handle));
            }
        }
        fresh.restoreHeaders(0, BATCH, FRAME);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int newFlow()
    {
        present(fresh, 0, false);
        natIn.process(batch, packets, BATCH, context);
        userRules.process(batch, packets, BATCH, context);
        natOut.process(batch, packets, BATCH, context);
        return batch.next[BATCH - 1];
    }

    /** The routing nodes' names, for the graph to bind ours; never run. */
    static final class StandIn extends Node
    {
        StandIn(final String name, final String next)
        {
            super(name, next == null ? new String[0] : new String[]{next}, new String[0]);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
        }
    }
}
