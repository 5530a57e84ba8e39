package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.gateway.ArpInputNode;
import dev.wharf.dataplane.gateway.IcmpEchoNode;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.worker.MonotonicClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's responders, in ns per packet, rewriting requests into replies in place: arp-input
 * on 256 ARP requests for the gateway address, icmp-echo on 256 pings to it (98-byte frames, 56
 * bytes of data, checksum verified and updated per RFC 1624), each called directly on the graph's
 * bound node with the metadata ethernet-input and ip4-input would have recorded. {@link #icmpEchoPath}
 * runs the whole graph instead: ethernet-input, l2-learn, l2-forward, ip4-input (header checksum),
 * icmp-echo, interface-output.
 *
 * <p>A reply cannot be answered again, so each invocation copies back the bytes the responder
 * rewrote (the first 42 of each frame: Ethernet + ARP, or Ethernet + IPv4 + ICMP header). That copy
 * and the metadata refill are included; {@link #arpRestoreOnly} and {@link #icmpRestoreOnly}
 * measure them alone, to subtract.
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
public class GatewayBenchmark
{
    private static final int BATCH = PacketBatch.CAPACITY;
    private static final int PING_DATA = 56;
    private static final int REWRITTEN = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH + IcmpFlyweight.HEADER_LENGTH;
    private static final int L3 = EthernetFlyweight.HEADER_LENGTH;
    private static final int L4 = L3 + Ipv4Flyweight.MIN_HEADER_LENGTH;

    private final PacketBatch batch = new PacketBatch();
    private final int[] packets = new int[BATCH];
    private BenchTopology topology;
    private OffHeapFrames arps;
    private OffHeapFrames pings;
    private Node arpInput;
    private Node icmpEcho;
    private NodeGraph graph;
    private WorkerContext context;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(0x4757_4159L);
        topology = new BenchTopology(false);
        graph = topology.graph;
        context = topology.context;
        arpInput = topology.node(ArpInputNode.NAME);
        icmpEcho = topology.node(IcmpEchoNode.NAME);
        final long[] macs = BenchFrames.distinctMacs(random, BATCH);
        arps = new OffHeapFrames(BATCH, 64);
        pings = new OffHeapFrames(BATCH, 128);
        for (int f = 0; f < BATCH; f++)
        {
            arps.length[f] = BenchFrames.arpRequest(arps.frame(f), 0, macs[f], BenchTopology.ipOf(f), BenchTopology.GATEWAY_IP);
            arps.inPort[f] = BenchTopology.portOf(f);
            pings.length[f] = BenchFrames.icmpEchoRequest(pings.frame(f), 0, BenchTopology.GATEWAY_MAC, macs[f],
                BenchTopology.ipOf(f), BenchTopology.GATEWAY_IP, f, PING_DATA);
            pings.inPort[f] = BenchTopology.portOf(f);
            packets[f] = f;
        }
        arps.keepPristine();
        pings.keepPristine();

        final int output = graph.nodeId(InterfaceOutputNode.NAME);
        for (int round = 0; round < 2; round++)
        {
            arpReply();
            expectAll(output, "arp-input");
            icmpEchoReply();
            expectAll(output, "icmp-echo");
        }
        icmpEchoPath();
        icmpEchoPath();
        if (topology.sentCount() != 2L * BATCH || topology.errorCount("arp-input.replied") != 2L * BATCH ||
            topology.errorCount("icmp-echo.replied") != 4L * BATCH)
        {
            throw new IllegalStateException("not every request was answered: " + topology.nonZeroErrors());
        }
    }

    private void expectAll(final int next, final String node)
    {
        for (int i = 0; i < BATCH; i++)
        {
            if (batch.next[i] != next)
            {
                throw new IllegalStateException(node + " did not answer request " + i + ": " + topology.nonZeroErrors());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        arps.close();
        pings.close();
        topology.close();
    }

    /** The metadata ethernet-input records for a broadcast ARP frame. */
    private void refillArps()
    {
        final PacketBatch batch = this.batch;
        arps.refill(batch, 0, BATCH);
        for (int i = 0; i < BATCH; i++)
        {
            batch.network[i] = 0;
            batch.l3Offset[i] = L3;
            batch.flags[i] = PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_ARP;
        }
    }

    /** The metadata ethernet-input and ip4-input record for an IPv4 frame to the gateway. */
    private void refillPings()
    {
        final PacketBatch batch = this.batch;
        pings.refill(batch, 0, BATCH);
        for (int i = 0; i < BATCH; i++)
        {
            batch.network[i] = 0;
            batch.l3Offset[i] = L3;
            batch.l4Offset[i] = L4;
            batch.flags[i] = PacketBatch.FLAG_IPV4;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int arpReply()
    {
        refillArps();
        arpInput.process(batch, packets, BATCH, context);
        arps.restoreHeaders(0, BATCH, REWRITTEN);
        return batch.next[BATCH - 1];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int arpRestoreOnly()
    {
        refillArps();
        arps.restoreHeaders(0, BATCH, REWRITTEN);
        return batch.next[BATCH - 1];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int icmpEchoReply()
    {
        refillPings();
        icmpEcho.process(batch, packets, BATCH, context);
        pings.restoreHeaders(0, BATCH, REWRITTEN);
        return batch.next[BATCH - 1];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int icmpRestoreOnly()
    {
        refillPings();
        pings.restoreHeaders(0, BATCH, REWRITTEN);
        return batch.next[BATCH - 1];
    }

    /** A ping to the gateway through the whole graph, from receive to the reply's send. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int icmpEchoPath()
    {
        final PacketBatch batch = this.batch;
        pings.refill(batch, 0, BATCH);
        context.nowMs = MonotonicClock.nowMs();
        graph.run(batch, context);
        context.flushDirty();
        pings.restoreHeaders(0, BATCH, REWRITTEN);
        return batch.outPort[BATCH - 1];
    }
}
