package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.EthernetInputNode;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.l2.L2FloodNode;
import dev.wharf.dataplane.l2.L2ForwardNode;
import dev.wharf.dataplane.l2.L2LearnNode;
import dev.wharf.dataplane.protocol.MacAddress;
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
 * One bridge node alone, in ns per packet: l2-learn (4,096 known MACs refreshed), l2-forward (FDB
 * lookup and decision), l2-flood (a broadcast sent to the 7 other ports) or interface-output (the
 * egress checks and the send). The batch's metadata as ethernet-input (and, for interface-output,
 * l2-forward) left it is copied back before each invocation; {@code restoreOnly} measures that copy
 * so it can be subtracted. Ports count sends without copying.
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
public class L2NodeBenchmark
{
    private static final int BATCH = PacketBatch.CAPACITY;

    @Param({L2LearnNode.NAME, L2ForwardNode.NAME, L2FloodNode.NAME, InterfaceOutputNode.NAME})
    public String node;

    @Param({"64", "1400"})
    public int frameSize;

    private final PacketBatch batch = new PacketBatch();
    private final int[] packets = new int[BATCH];
    private final int[] savedFlags = new int[BATCH];
    private final int[] savedVlan = new int[BATCH];
    private final int[] savedNetwork = new int[BATCH];
    private final int[] savedL3Offset = new int[BATCH];
    private final int[] savedOutPort = new int[BATCH];
    private BenchTopology topology;
    private OffHeapFrames frames;
    private Node measured;
    private WorkerContext context;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(0x4C32_4E44L);
        topology = new BenchTopology(false);
        context = topology.context;
        measured = topology.node(node);
        final long[] macs = BenchFrames.distinctMacs(random, 4096);
        topology.learnAll(macs, 0);
        final boolean flood = node.equals(L2FloodNode.NAME);
        frames = new OffHeapFrames(BATCH, frameSize);
        for (int f = 0; f < BATCH; f++)
        {
            // every frame comes from a learned host and goes to a learned host behind another port
            final int source = f * 16;
            final int destination = source + 1;
            BenchFrames.udp(frames.frame(f), 0, frameSize, flood ? MacAddress.BROADCAST : macs[destination], macs[source], -1,
                BenchTopology.ipOf(source), BenchTopology.ipOf(destination));
            frames.length[f] = frameSize;
            frames.inPort[f] = BenchTopology.portOf(source);
            packets[f] = f;
        }
        frames.refill(batch, 0, BATCH);
        topology.node(EthernetInputNode.NAME).process(batch, packets, BATCH, context);
        if (node.equals(InterfaceOutputNode.NAME))
        {
            topology.node(L2LearnNode.NAME).process(batch, packets, BATCH, context);
            topology.node(L2ForwardNode.NAME).process(batch, packets, BATCH, context);
            final int output = topology.graph.nodeId(InterfaceOutputNode.NAME);
            for (int i = 0; i < BATCH; i++)
            {
                if (batch.next[i] != output)
                {
                    throw new IllegalStateException("frame " + i + " not forwarded: " + topology.nonZeroErrors());
                }
            }
        }
        System.arraycopy(batch.flags, 0, savedFlags, 0, BATCH);
        System.arraycopy(batch.vlan, 0, savedVlan, 0, BATCH);
        System.arraycopy(batch.network, 0, savedNetwork, 0, BATCH);
        System.arraycopy(batch.l3Offset, 0, savedL3Offset, 0, BATCH);
        System.arraycopy(batch.outPort, 0, savedOutPort, 0, BATCH);
        final long sentBefore = topology.sentCount();
        run();
        final long sent = topology.sentCount() - sentBefore;
        final long expected = flood ? (long)BATCH * (BenchTopology.PORTS - 1) : node.equals(InterfaceOutputNode.NAME) ? BATCH : 0;
        if (sent != expected || !topology.nonZeroErrors().replaceAll("l2-learn.new-mac=\\d+ ?|l2-flood.flooded=\\d+ ?", "").isEmpty())
        {
            throw new IllegalStateException(node + " sent " + sent + " frames, expected " + expected + "; counters: " + topology.nonZeroErrors());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        frames.close();
        topology.close();
    }

    private void restore()
    {
        frames.refill(batch, 0, BATCH);
        System.arraycopy(savedFlags, 0, batch.flags, 0, BATCH);
        System.arraycopy(savedVlan, 0, batch.vlan, 0, BATCH);
        System.arraycopy(savedNetwork, 0, batch.network, 0, BATCH);
        System.arraycopy(savedL3Offset, 0, batch.l3Offset, 0, BATCH);
        System.arraycopy(savedOutPort, 0, batch.outPort, 0, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int run()
    {
        restore();
        measured.process(batch, packets, BATCH, context);
        return batch.next[BATCH - 1];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int restoreOnly()
    {
        restore();
        return batch.length[BATCH - 1];
    }
}
