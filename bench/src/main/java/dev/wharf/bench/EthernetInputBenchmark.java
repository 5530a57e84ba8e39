package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.EthernetInputNode;
import dev.wharf.dataplane.l2.L2LearnNode;
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
 * ethernet-input alone, in ns per packet: parse, port/VLAN classification, the checks, and with
 * {@code tagged=true} the in-place strip of the 802.1Q tag. One batch of 256 64-byte UDP frames
 * from random sources on 8 ports, called directly on the graph's bound node (no {@code NodeGraph} scheduler).
 * Per invocation the batch metadata is refilled ({@link PacketBatch#add}, ~4 ns/packet, see
 * {@link BridgePathBenchmark#refillOnly}) and, when tagged, the stripped tags are put back.
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
public class EthernetInputBenchmark
{
    private static final int BATCH = PacketBatch.CAPACITY;
    private static final int FRAME_SIZE = 64;

    /** True: trunk ports and frames tagged with VLAN 100, stripped in place. */
    @Param({"false", "true"})
    public boolean tagged;

    private final PacketBatch batch = new PacketBatch();
    private final int[] packets = new int[BATCH];
    private BenchTopology topology;
    private OffHeapFrames frames;
    private Node node;
    private WorkerContext context;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(0x4554_4845L);
        topology = new BenchTopology(tagged);
        context = topology.context;
        node = topology.node(EthernetInputNode.NAME);
        final long[] macs = BenchFrames.distinctMacs(random, BATCH);
        frames = new OffHeapFrames(BATCH, FRAME_SIZE);
        for (int f = 0; f < BATCH; f++)
        {
            final int destination = (f + 1 + random.nextInt(BATCH - 1)) % BATCH;
            BenchFrames.udp(frames.frame(f), 0, FRAME_SIZE, macs[destination], macs[f], tagged ? BenchFrames.VLAN_ID : -1,
                BenchTopology.ipOf(f), BenchTopology.ipOf(destination));
            frames.length[f] = FRAME_SIZE;
            frames.inPort[f] = BenchTopology.portOf(f);
            packets[f] = f;
        }
        final int learn = topology.graph.nodeId(L2LearnNode.NAME);
        for (int round = 0; round < 2; round++)
        {
            parse();
            for (int i = 0; i < BATCH; i++)
            {
                if (batch.next[i] != learn)
                {
                    throw new IllegalStateException("frame " + i + " not accepted: " + topology.nonZeroErrors());
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        frames.close();
        topology.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int parse()
    {
        final PacketBatch batch = this.batch;
        frames.refill(batch, 0, BATCH);
        node.process(batch, packets, BATCH, context);
        if (tagged)
        {
            frames.retagStripped(batch, BenchFrames.VLAN_ID);
        }
        return batch.next[BATCH - 1];
    }
}
