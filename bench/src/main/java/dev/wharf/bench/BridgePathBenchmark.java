package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.worker.MonotonicClock;
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
 * The bridge fast path of one worker, in ns per packet: ethernet-input (parse, classify, strip the
 * tag), l2-learn (FDB refresh), l2-forward (FDB lookup, forward decision) and interface-output (the
 * egress decision and a send to a count-only {@link dev.wharf.dataplane.port.MemoryPort}), run by the
 * real {@link NodeGraph} from {@link dev.wharf.dataplane.worker.Pipeline#bridge()} over one full
 * batch of 256 frames per invocation.
 *
 * <p>The network has 4,096 learned MACs spread round-robin over 8 ports. 4,096 frames are built once
 * in off-heap slots: each learned MAC is the source of exactly one of them (in random order), the
 * destination is a random learned MAC behind another port, so every frame is a known unicast that
 * is forwarded. Invocations walk the 16 batches in turn, so the whole FDB is in play.
 *
 * <p>What an invocation measures besides the graph, and why it is fair: the batch metadata is
 * refilled with {@link PacketBatch#add} per frame (what a port's receive does for real; measured
 * alone by {@link #refillOnly}), the clock is read once per batch and the dirty ports are flushed
 * once per batch (both as {@link dev.wharf.dataplane.worker.WorkerAgent} does). No frame byte is
 * copied, except with {@code tagged=true}: ethernet-input strips each tag by moving 12 bytes, and
 * the benchmark moves them back after the run (16 bytes per frame, included in the result).
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
public class BridgePathBenchmark
{
    static final int MACS = 4_096;
    private static final int BATCH = PacketBatch.CAPACITY;

    /** Frame length in bytes, without FCS (with the tag when tagged). */
    @Param({"64", "1400"})
    public int frameSize;

    /** True: trunk ports, frames tagged with VLAN 100 on the wire (stripped at input, re-tagged on output). */
    @Param({"false", "true"})
    public boolean tagged;

    /**
     * True: the graph the daemon runs, with the overlay's nodes loaded (it always loads them) but no overlay
     * network: what the decap, proxy-ARP and encap nodes cost a bridged packet that is none of theirs.
     */
    @Param({"false", "true"})
    public boolean overlayLoaded;

    private final PacketBatch batch = new PacketBatch();
    private BenchTopology topology;
    private OffHeapFrames frames;
    private NodeGraph graph;
    private WorkerContext context;
    private int cursor;
    private int entry;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(0x5741_5246L);
        topology = overlayLoaded ?
            new BenchTopology(tagged, Pipeline.compose(0, java.util.List.of(new dev.wharf.vxlan.Overlay().feature()))) : new BenchTopology(tagged);
        graph = topology.graph;
        entry = graph.nodeId(dev.wharf.dataplane.graph.CoreNodes.ETHERNET_INPUT);
        context = topology.context;
        final long[] macs = BenchFrames.distinctMacs(random, MACS);
        topology.learnAll(macs, tagged ? BenchFrames.VLAN_ID : 0);

        frames = new OffHeapFrames(MACS, frameSize);
        final int[] sources = BenchFrames.permutation(random, MACS);
        for (int f = 0; f < MACS; f++)
        {
            final int source = sources[f];
            int destination;
            do
            {
                destination = random.nextInt(MACS);
            }
            while (BenchTopology.portOf(destination) == BenchTopology.portOf(source));
            BenchFrames.udp(frames.frame(f), 0, frameSize, macs[destination], macs[source], tagged ? BenchFrames.VLAN_ID : -1,
                BenchTopology.ipOf(source), BenchTopology.ipOf(destination));
            frames.length[f] = frameSize;
            frames.inPort[f] = BenchTopology.portOf(source);
        }

        // two rounds: every frame must be forwarded, also after the tags were put back
        for (int n = 0; n < 2 * MACS / BATCH; n++)
        {
            bridge();
        }
        final String errors = topology.nonZeroErrors();
        if (topology.sentCount() != 2L * MACS || !errors.isEmpty())
        {
            throw new IllegalStateException("not every frame was forwarded: sent " + topology.sentCount() + " of " +
                2 * MACS + "; " + errors);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        frames.close();
        topology.close();
    }

    /** One batch through the bridge graph: the headline number, ns per packet. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int bridge()
    {
        final int first = cursor;
        cursor = (first + BATCH) & (MACS - 1);
        final PacketBatch batch = this.batch;
        frames.refill(batch, first, BATCH);
        context.nowMs = MonotonicClock.nowMs();
        graph.run(batch, context, entry); // where the worker starts a network port's batch
        context.flushDirty();
        if (tagged)
        {
            frames.retagStripped(batch, BenchFrames.VLAN_ID);
        }
        return batch.outPort[BATCH - 1];
    }

    /** The per-invocation refill of the batch metadata alone (included in {@link #bridge}). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int refillOnly()
    {
        final int first = cursor;
        cursor = (first + BATCH) & (MACS - 1);
        frames.refill(batch, first, BATCH);
        return batch.size();
    }
}
