package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.vxlan.Encapsulation;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * overlay-gro against TCP segments scapy built (vxlan/src/test/scapy/make_fixtures.py), as they come out
 * of the tunnel: in-order segments of one flow become one super-frame that re-segments into exactly the
 * originals, and what must not be merged is not.
 */
class GroTest
{
    private static final int TUNNEL_PORT = 1;
    private static final int HEADERS = 14 + 20 + 32;

    private final OverlayTables tables = new OverlayTables(
        new Tunnel[]{new Tunnel(0, TUNNEL_PORT, 42, Encapsulation.VXLAN, new int[0], null, 0)}, new int[]{-1, -1},
        new Long2LongHashMap(0), new dev.wharf.vxlan.underlay.UnderlayPort[0]);
    private final NodeGraph graph = Pipeline.compose(0, List.of(new GraphFeature()
    {
        @Override
        public String name()
        {
            return "gro-only";
        }

        @Override
        public void contribute(final int worker, final GraphComposer composer)
        {
            composer.feature(FeatureArc.DEVICE_INPUT, new TunnelGroNode(() -> tables));
        }
    }));
    private final Node gro = graph.node(graph.nodeId(TunnelGroNode.NAME));
    private final WorkerContext context = new WorkerContext(0, graph.layout());
    private final int onward = graph.nodeId(CoreNodes.ETHERNET_INPUT);
    private final BufferPool frames = new BufferPool(8, 2048, BufferPool.DEFAULT_HEADROOM);
    private final PacketBatch batch = new PacketBatch();

    @AfterEach
    void tearDown()
    {
        frames.close();
    }

    /** Runs overlay-gro over the fixtures as one batch from the tunnel port. */
    private void run(final String... names)
    {
        batch.clear();
        final int[] packets = new int[names.length];
        for (int k = 0; k < names.length; k++)
        {
            final byte[] bytes = Fixture.frame(names[k]);
            final long address = frames.dataAddress(k);
            new UnsafeBuffer(address, bytes.length).putBytes(0, bytes);
            packets[k] = batch.add(address, bytes.length, frames.headroom(), TUNNEL_PORT);
        }
        gro.process(batch, packets, names.length, context);
    }

    private byte[] frame(final int i)
    {
        final byte[] bytes = new byte[batch.length[i]];
        batch.frame(i).getBytes(0, bytes);
        return bytes;
    }

    @Test
    void inOrderSegmentsOfOneFlowBecomeOneSuperFrameThatSegmentsBackIntoTheOriginals()
    {
        run("gro_seg0", "gro_seg1", "gro_seg2", "gro_seg3");

        assertEquals(onward, batch.next[0]);
        for (int i = 1; i < 4; i++)
        {
            assertEquals(NodeGraph.DONE, batch.next[i], "segment " + i + " was merged into the first");
        }
        assertEquals(HEADERS + 4_000, batch.length[0]);
        final long offload = batch.offload[0];
        assertEquals(OffloadInfo.GSO_TCPV4, OffloadInfo.gsoType(offload));
        assertEquals(1_000, OffloadInfo.gsoSize(offload));
        assertTrue(OffloadInfo.needsChecksum(offload));
        assertEquals(34, OffloadInfo.csumStart(offload));
        assertEquals(16, OffloadInfo.csumOffset(offload));

        final SoftwareOffload segmenter = new SoftwareOffload();
        assertEquals(4, segmenter.prepare(batch.address[0], batch.length[0], offload));
        for (int k = 0; k < 4; k++)
        {
            final byte[] segment = new byte[segmenter.segmentLength(k, PortQueue.NO_TAG)];
            segmenter.writeSegment(k, new UnsafeBuffer(segment), 0, PortQueue.NO_TAG);
            assertArrayEquals(Fixture.frame("gro_seg" + k), segment, "segment " + k + " as scapy built it, checksums and all");
        }
    }

    @Test
    void aGapAnotherFlowInBetweenOrAFinEndTheRunAndNothingIsMerged()
    {
        assertNothingMerged("gro_seg0", "gro_seg2");
        assertNothingMerged("gro_seg0", "gro_other_flow", "gro_seg1");
        assertNothingMerged("gro_seg0", "gro_fin");
        assertNothingMerged("gro_seg3", "gro_seg0"); // PSH ends a run; and the order is wrong
    }

    private void assertNothingMerged(final String... names)
    {
        run(names);
        for (int i = 0; i < names.length; i++)
        {
            assertEquals(onward, batch.next[i], names[i]);
            assertEquals(0, batch.offload[i], names[i]);
            assertArrayEquals(Fixture.frame(names[i]), frame(i), names[i] + " passes on as it came");
        }
    }

    @Test
    void aMergeStopsWhereTheSegmentsStopFollowingEachOther()
    {
        run("gro_seg0", "gro_seg1", "gro_other_flow", "gro_seg2", "gro_seg3");

        assertEquals(HEADERS + 2_000, batch.length[0], "seg0 and seg1");
        assertEquals(NodeGraph.DONE, batch.next[1]);
        assertEquals(onward, batch.next[2], "the other flow passes");
        assertEquals(HEADERS + 2_000, batch.length[3], "seg2 and seg3 are a run of their own");
        assertEquals(NodeGraph.DONE, batch.next[4]);
    }
}
