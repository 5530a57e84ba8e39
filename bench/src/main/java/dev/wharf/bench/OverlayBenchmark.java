package dev.wharf.bench;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.tunnel.InnerFlowHash;
import dev.wharf.vxlan.tunnel.OverlayTables;
import dev.wharf.vxlan.tunnel.Tunnel;
import dev.wharf.vxlan.tunnel.TunnelDecapNode;
import dev.wharf.vxlan.tunnel.TunnelGroNode;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.collections.Long2LongHashMap;
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

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The overlay's per-packet work, in ns per packet, over one batch of 256 frames of 32 flows:
 * <ul>
 * <li>{@link #decap}: vxlan-decap or geneve-decap on the graph's bound node: the header checks, the VNI
 * to tunnel port lookup, moving the frame start, the tunnel port's rx counters and the MSS-clamp check
 * (the frames are not SYNs), as the worker runs it on a batch from the underlay port. The batch metadata is
 * refilled per invocation ({@link PacketBatch#add}, ~4 ns/packet, see {@link BridgePathBenchmark#refillOnly}).</li>
 * <li>{@link #encapHeaderHashAndCopy}: what the encapsulation does per packet before Netty takes the datagram:
 * the inner flow's hash (the source port), the tunnel header written and the frame copied behind it into
 * send memory (here a preallocated buffer; in the daemon a pooled Netty buffer, whose allocation and the
 * send itself are not in this figure).</li>
 * <li>{@link #gro}: overlay-gro per segment over a batch of 256 in-order 1,400-byte TCP segments of 8 flows in runs
 * of 32 (what a TCP window arriving from the tunnel looks like): the checks, the copy of each payload into
 * the super-frame and the rewritten headers of each of the 8 super-frames (independent of the encapsulation).</li>
 * </ul>
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
public class OverlayBenchmark
{
    private static final int BATCH = PacketBatch.CAPACITY;
    private static final int FLOWS = 32;
    private static final int VNI = 42;
    /** Two of the bench topology's ports stand for the underlay's device port and the overlay network's tunnel port. */
    private static final int UNDERLAY_PORT = 6;
    private static final int TUNNEL_PORT = 7;
    private static final int MAX_INNER = 1_400;

    /** The inner frame's length. */
    @Param({"64", "1400"})
    public int innerSize;

    @Param({"vxlan", "geneve"})
    public String encap;

    private final PacketBatch batch = new PacketBatch();
    private final int[] packets = new int[BATCH];
    private Encapsulation encapsulation;
    private BenchTopology topology;
    private OffHeapFrames datagrams;
    private OffHeapFrames inner;
    private Node decapNode;
    private WorkerContext context;
    private ByteBuffer sendMemory;
    private long sendAddress;
    private Node groNode;
    private OffHeapFrames segments;
    private static final int GRO_FLOWS = 8;
    private static final int SEGMENT_PAYLOAD = 1_400 - 14 - 20 - 20;

    @Setup(Level.Trial)
    public void setUp()
    {
        encapsulation = Encapsulation.byLabel(encap);
        final OverlayTables tables = new OverlayTables(
            new Tunnel[]{new Tunnel(0, TUNNEL_PORT, VNI, encapsulation, new int[]{0x0AC8_0002}, null, 1_410)},
            encapsulation == Encapsulation.VXLAN ? new int[]{UNDERLAY_PORT, -1} : new int[]{-1, UNDERLAY_PORT},
            new Long2LongHashMap(0), new dev.wharf.vxlan.underlay.UnderlayPort[0]);
        final GraphFeature decapOnly = new GraphFeature()
        {
            @Override
            public String name()
            {
                return "bench-overlay";
            }

            @Override
            public void contribute(final int worker, final dev.wharf.dataplane.graph.GraphComposer composer)
            {
                composer.feature(FeatureArc.DEVICE_INPUT, new TunnelDecapNode(encapsulation, () -> tables));
                composer.feature(FeatureArc.DEVICE_INPUT, new TunnelGroNode(() -> tables)).runsAfter(encapsulation.label() + "-decap");
            }
        };
        topology = new BenchTopology(false, Pipeline.compose(0, List.of(decapOnly)));
        context = topology.context;
        decapNode = topology.node(encapsulation.label() + "-decap");

        final Random random = new Random(0x4F56_4C59L);
        final long[] macs = BenchFrames.distinctMacs(random, FLOWS * 2);
        final int header = encapsulation.headerLength();
        datagrams = new OffHeapFrames(BATCH, header + MAX_INNER);
        inner = new OffHeapFrames(BATCH, MAX_INNER);
        for (int f = 0; f < BATCH; f++)
        {
            final int flow = f % FLOWS;
            encapsulation.writeHeader(datagrams.frame(f).addressOffset(), VNI);
            BenchFrames.udp(datagrams.frame(f), header, innerSize, macs[FLOWS + flow], macs[flow], -1,
                BenchTopology.ipOf(flow), BenchTopology.ipOf(FLOWS + flow));
            datagrams.length[f] = header + innerSize;
            datagrams.inPort[f] = UNDERLAY_PORT;
            BenchFrames.udp(inner.frame(f), 0, innerSize, macs[FLOWS + flow], macs[flow], -1,
                BenchTopology.ipOf(flow), BenchTopology.ipOf(FLOWS + flow));
            inner.length[f] = innerSize;
            packets[f] = f;
        }
        groNode = topology.node(TunnelGroNode.NAME);
        segments = new OffHeapFrames(BATCH, 14 + 20 + 20 + SEGMENT_PAYLOAD);
        for (int f = 0; f < BATCH; f++)
        {
            final int flow = f / (BATCH / GRO_FLOWS);
            final int nth = f % (BATCH / GRO_FLOWS);
            tcpSegment(segments.frame(f), macs[flow], macs[FLOWS + flow], BenchTopology.ipOf(flow), BenchTopology.ipOf(FLOWS + flow),
                40_000 + flow, 1_000 + nth * SEGMENT_PAYLOAD);
            segments.length[f] = 14 + 20 + 20 + SEGMENT_PAYLOAD;
            segments.inPort[f] = TUNNEL_PORT;
        }
        sendMemory = ByteBuffer.allocateDirect(BATCH * (header + MAX_INNER));
        sendAddress = BufferUtil.address(sendMemory);
        decap();
        for (int i = 0; i < BATCH; i++)
        {
            if (batch.next[i] != topology.graph.nodeId(TunnelGroNode.NAME) || batch.inPort[i] != TUNNEL_PORT)
            {
                throw new IllegalStateException("datagram " + i + " not decapsulated: " + topology.nonZeroErrors());
            }
        }
        gro();
        if (batch.length[0] != 14 + 20 + 20 + SEGMENT_PAYLOAD * (BATCH / GRO_FLOWS))
        {
            throw new IllegalStateException("the segments were not merged: " + batch.length[0] + " " + topology.nonZeroErrors());
        }
    }

    /** A TCP/IPv4 segment with ACK set and {@link #SEGMENT_PAYLOAD} bytes, as GRO merges them. */
    private static void tcpSegment(
        final org.agrona.concurrent.UnsafeBuffer frame, final long source, final long destination, final int sourceIp,
        final int destinationIp, final int sourcePort, final int sequence)
    {
        BenchFrames.udp(frame, 0, 14 + 20 + 20 + SEGMENT_PAYLOAD, destination, source, -1, sourceIp, destinationIp);
        frame.putShort(14 + 6, (short)0x4000, java.nio.ByteOrder.BIG_ENDIAN); // DF, before the header checksum is computed
        BenchFrames.ipv4(frame, 14, 20 + 20 + SEGMENT_PAYLOAD, 6, sourceIp, destinationIp);
        frame.putShort(34, (short)sourcePort, java.nio.ByteOrder.BIG_ENDIAN);
        frame.putShort(36, (short)5201, java.nio.ByteOrder.BIG_ENDIAN);
        frame.putInt(38, sequence, java.nio.ByteOrder.BIG_ENDIAN);
        frame.putInt(42, 777, java.nio.ByteOrder.BIG_ENDIAN);
        frame.putByte(46, (byte)0x50);
        frame.putByte(47, (byte)0x10); // ACK
        frame.putShort(48, (short)500, java.nio.ByteOrder.BIG_ENDIAN);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        segments.close();
        datagrams.close();
        inner.close();
        topology.close();
        BufferUtil.free(sendMemory);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int decap()
    {
        final PacketBatch batch = this.batch;
        datagrams.refill(batch, 0, BATCH);
        decapNode.process(batch, packets, BATCH, context);
        return batch.next[BATCH - 1];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int gro()
    {
        final PacketBatch batch = this.batch;
        segments.refill(batch, 0, BATCH);
        groNode.process(batch, packets, BATCH, context);
        return batch.length[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encapHeaderHashAndCopy()
    {
        final Encapsulation encapsulation = this.encapsulation;
        final int header = encapsulation.headerLength();
        long to = sendAddress;
        int hashes = 0;
        for (int f = 0; f < BATCH; f++)
        {
            final long frame = inner.address[f];
            final int length = inner.length[f];
            hashes += InnerFlowHash.of(frame, length);
            encapsulation.writeHeader(to, VNI);
            UnsafeApi.copyMemory(frame, to + header, length);
            to += header + length;
        }
        return hashes;
    }
}
