package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.dataplane.worker.Pipeline;
import org.agrona.CloseHelper;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The routed fast path of one worker, in ns per packet, without NAT: ethernet-input, l2-learn,
 * l2-forward (to the gateway MAC), ip4-input (validation, header checksum, gleaning), the
 * pass-through ip4-nat-in, ip4-lookup (local check, route, isolation, TTL), the pass-through
 * ip4-nat-out, ip4-rewrite (neighbour and FDB lookups, MTU, TTL with an RFC 1624 update, MACs) and
 * interface-output, run by the real graph of {@link Pipeline#standard()} over one batch of 256
 * frames per invocation.
 *
 * <p>Two connected container networks (10.0.0.0/16 and 10.1.0.0/16) of 4 count-only ports each and
 * {@link #HOSTS} hosts each, every neighbour resolved and learned in the FDB. 4,096 frames are built
 * once, each from a random host of the first network (each host the source of one frame) to a random
 * host of the second, so the neighbour table and FDB are both in play.
 *
 * <p>The routed rewrite changes the Ethernet addresses, TTL and header checksum of every frame; each
 * invocation puts the 34 header bytes back from a pristine copy after the run (included in the
 * result, as GatewayBenchmark does), so every frame is forwarded in every round. {@link #harnessOnly}
 * measures refill and restore alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true",
    "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class RoutedPathBenchmark
{
    static final int HOSTS = 4_096;
    private static final int BATCH = PacketBatch.CAPACITY;
    private static final int PORTS_PER_NETWORK = 4;
    private static final int MTU = 1500;
    private static final int[] SUBNETS = {0x0A00_0000, 0x0A01_0000};
    private static final long[] GATEWAY_MACS = {0x02_00_5E_00_00_01L, 0x02_00_5E_00_01_01L};
    private static final int REWRITTEN = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH;

    /** Frame length in bytes, without FCS. */
    @Param({"64", "1400"})
    public int frameSize;

    private final PacketBatch batch = new PacketBatch();
    private final MemoryPort[] ports = new MemoryPort[2 * PORTS_PER_NETWORK];
    private OffHeapFrames frames;
    private NodeGraph graph;
    private WorkerContext context;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(0x524F_5554L);
        graph = Pipeline.standard();
        context = new WorkerContext(0, graph.layout());
        context.nowMs = MonotonicClock.nowMs();

        final PortBinding[] bindings = new PortBinding[ports.length];
        final NetworkState[] networks = new NetworkState[2];
        final long[][] macs = new long[2][];
        for (int n = 0; n < 2; n++)
        {
            final int[] members = new int[PORTS_PER_NETWORK];
            for (int p = 0; p < PORTS_PER_NETWORK; p++)
            {
                final int id = n * PORTS_PER_NETWORK + p;
                ports[id] = new MemoryPort("routed" + id, MTU, 1).countOnly();
                bindings[id] = new PortBinding(id, ports[id], n, false, 0, new int[0], MTU, DataplaneConfiguration.MAC_LIMIT_DEFAULT);
                members[p] = id;
            }
            final FdbTable fdb = new FdbTable(DataplaneConfiguration.FDB_MAX_ENTRIES_DEFAULT, CounterLayout.MAX_PORTS);
            final NeighbourTable neighbours = new NeighbourTable(2 * HOSTS);
            macs[n] = BenchFrames.distinctMacs(random, HOSTS);
            for (int host = 0; host < HOSTS; host++)
            {
                fdb.learn(macs[n][host], 0, portOf(n, host), context.nowMs, Integer.MAX_VALUE);
                neighbours.learn(ipOf(n, host), macs[n][host], context.nowMs);
            }
            networks[n] = new NetworkState(n, "net" + n, SUBNETS[n], 16, SUBNETS[n] | 1, GATEWAY_MACS[n], fdb, members,
                NetworkPolicy.DEFAULT, false, 0, neighbours, new long[]{1L << (1 - n)});
        }
        context.snapshot = new DataplaneSnapshot(1, networks, bindings, 1);

        frames = new OffHeapFrames(HOSTS, frameSize);
        final int[] sources = BenchFrames.permutation(random, HOSTS);
        for (int f = 0; f < HOSTS; f++)
        {
            final int source = sources[f];
            final int destination = random.nextInt(HOSTS);
            BenchFrames.udp(frames.frame(f), 0, frameSize, GATEWAY_MACS[0], macs[0][source], -1, ipOf(0, source), ipOf(1, destination));
            frames.length[f] = frameSize;
            frames.inPort[f] = portOf(0, source);
        }
        frames.keepPristine();

        for (int n = 0; n < 2 * HOSTS / BATCH; n++)
        {
            route();
        }
        long sent = 0;
        for (final MemoryPort port : ports)
        {
            sent += port.sentCount();
        }
        if (sent != 2L * HOSTS || context.counters.get(graph.layout().nodeCounter(graph.nodeId(NodeGraph.DROP_NODE))) != 0)
        {
            throw new IllegalStateException("not every frame was routed: sent " + sent + " of " + 2 * HOSTS);
        }
    }

    private static int portOf(final int network, final int host)
    {
        return network * PORTS_PER_NETWORK + host % PORTS_PER_NETWORK;
    }

    private static int ipOf(final int network, final int host)
    {
        return SUBNETS[network] + 2 + host;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        frames.close();
        for (final MemoryPort port : ports)
        {
            CloseHelper.quietClose(port);
        }
    }

    /** One batch routed from one network to the other: ns per packet, header restore included. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int route()
    {
        final int first = cursor;
        cursor = (first + BATCH) & (HOSTS - 1);
        final PacketBatch batch = this.batch;
        frames.refill(batch, first, BATCH);
        context.nowMs = MonotonicClock.nowMs();
        graph.run(batch, context);
        context.flushDirty();
        frames.restoreHeaders(first, BATCH, REWRITTEN);
        return batch.outPort[BATCH - 1];
    }

    /** The per-invocation refill and header restore alone (both included in {@link #route}). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int harnessOnly()
    {
        final int first = cursor;
        cursor = (first + BATCH) & (HOSTS - 1);
        frames.refill(batch, first, BATCH);
        frames.restoreHeaders(first, BATCH, REWRITTEN);
        return batch.size();
    }
}
