package dev.wharf.dataplane.punt;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.dataplane.worker.WorkerAgent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The punt ring carries a frame and where it came from to the control plane; the inject ring carries replies back out of a port. */
class PuntChannelTest
{
    private final MemoryPort a = new MemoryPort("a", 1500, 300);
    private final MemoryPort b = new MemoryPort("b", 1500, 300);

    @AfterEach
    void tearDown()
    {
        a.close();
        b.close();
    }

    private static DataplaneSnapshot snapshot(final MemoryPort a, final MemoryPort b)
    {
        final NetworkState network = new NetworkState(0, "n", 0x0A000000, 24, 0x0A000001, 0x02420a000001L,
            new FdbTable(1024, CounterLayout.MAX_PORTS), new int[]{0, 1});
        return new DataplaneSnapshot(1, new NetworkState[]{network}, new PortBinding[]{
            new PortBinding(0, a, 0, false, 0, new int[0], 1500, 100),
            new PortBinding(1, b, 0, false, 0, new int[0], 1500, 100)}, 1);
    }

    private static PacketBatch batchOf(final byte[] frame, final int copies)
    {
        final PacketBatch batch = new PacketBatch();
        final ByteBuffer memory = ByteBuffer.allocateDirect(frame.length * copies);
        final UnsafeBuffer view = new UnsafeBuffer(memory);
        for (int c = 0; c < copies; c++)
        {
            view.putBytes(c * frame.length, frame);
            final int i = batch.add(view.addressOffset() + (long)c * frame.length, frame.length, 0, 3);
            batch.network[i] = 2;
            batch.vlan[i] = 7;
            batch.portPeer[i] = 9;
            batch.l3Offset[i] = 14;
            batch.l4Offset[i] = 34;
        }
        // the memory must outlive the batch's addresses: keep it reachable through the view
        KEEP.add(memory);
        return batch;
    }

    private static final List<ByteBuffer> KEEP = new ArrayList<>();

    @Test
    void aPuntedFrameReachesTheReaderWithItsServiceAndOrigin()
    {
        final byte[] frame = Fixture.frame("udp_a_to_b");
        final PuntChannel channel = new PuntChannel(0);
        final PacketBatch batch = batchOf(frame, 1);

        assertTrue(channel.punt(5, batch, 0));

        final List<String> seen = new ArrayList<>();
        final int read = channel.readPunted((service, buffer, index, length) ->
        {
            final byte[] copy = new byte[PuntMessage.frameLength(buffer, index)];
            buffer.getBytes(index + PuntMessage.FRAME, copy);
            assertArrayEquals(frame, copy);
            seen.add(service + " port=" + PuntMessage.port(buffer, index) + " net=" + PuntMessage.network(buffer, index) +
                " vlan=" + PuntMessage.vlan(buffer, index) + " peer=" + PuntMessage.peer(buffer, index) +
                " l3=" + PuntMessage.l3Offset(buffer, index) + " l4=" + PuntMessage.l4Offset(buffer, index));
        }, 10);

        assertEquals(1, read);
        assertEquals(List.of("5 port=3 net=2 vlan=7 peer=9 l3=14 l4=34"), seen);
    }

    @Test
    void aFullPuntRingRefusesWithoutBlockingAndTakesMoreOnceRead()
    {
        final byte[] frame = Fixture.frame("udp_a_to_b");
        final PuntChannel channel = new PuntChannel(0, 4096);
        final PacketBatch batch = batchOf(frame, 1);
        int accepted = 0;
        while (channel.punt(1, batch, 0))
        {
            accepted++;
            assertTrue(accepted < 1000, "a 4 KB ring holds a bounded number of frames");
        }
        assertTrue(accepted > 0);
        assertFalse(channel.punt(1, batch, 0));

        assertEquals(accepted, channel.readPunted((service, buffer, index, length) -> { }, 1000));
        assertTrue(channel.punt(1, batch, 0), "reading made room again");
    }

    @Test
    void anInjectedFrameLeavesByThePortItNamesInTheWorkersNextCycleAndWakesIt()
    {
        final DataplaneSnapshot snapshot = snapshot(a, b);
        final PuntChannel channel = new PuntChannel(0);
        final AtomicInteger wakes = new AtomicInteger();
        channel.wakeup(wakes::incrementAndGet);
        final WorkerAgent worker = new WorkerAgent(0, () -> snapshot, Pipeline.standard(), channel);
        final byte[] reply = Fixture.frame("udp_a_to_b");

        assertTrue(channel.inject(1, 0, 0, 0, new UnsafeBuffer(reply), 0, reply.length));
        assertEquals(1, wakes.get());
        assertTrue(channel.hasInjected());

        assertEquals(1, worker.doWork());

        assertEquals(1, b.sent().size());
        assertArrayEquals(reply, b.sent().get(0));
        assertEquals(0, a.sent().size());
        assertFalse(channel.hasInjected());
        final CounterLayout layout = worker.graph().layout();
        assertEquals(1, worker.context().counters.get(layout.portCounter(1, CounterLayout.PORT_TX_PACKETS)));
    }

    @Test
    void injectedFramesAreSentAtMostABatchPerCycleAndToAGonePortDroppedUnderItsReason()
    {
        final DataplaneSnapshot snapshot = snapshot(a, b);
        final PuntChannel channel = new PuntChannel(0);
        final WorkerAgent worker = new WorkerAgent(0, () -> snapshot, Pipeline.standard(), channel);
        final byte[] reply = Fixture.frame("udp_a_to_b");
        for (int n = 0; n < PuntChannel.INJECT_PER_CYCLE + 6; n++)
        {
            assertTrue(channel.inject(0, 0, 0, 0, new UnsafeBuffer(reply), 0, reply.length));
        }
        assertTrue(channel.inject(17, 0, 0, 0, new UnsafeBuffer(reply), 0, reply.length));

        assertEquals(PuntChannel.INJECT_PER_CYCLE, worker.doWork());
        assertEquals(PuntChannel.INJECT_PER_CYCLE, a.sent().size());
        assertEquals(7, worker.doWork());
        assertEquals(PuntChannel.INJECT_PER_CYCLE + 6, a.sent().size());

        final CounterLayout layout = worker.graph().layout();
        final int portGone = layout.errorId(InterfaceOutputNode.NAME + "." + InterfaceOutputNode.Error.PORT_GONE.name().toLowerCase().replace('_', '-'));
        assertEquals(1, worker.context().counters.get(portGone));
    }

    @Test
    void anOversizeFrameIsRefusedOnBothRings()
    {
        final PuntChannel channel = new PuntChannel(0);
        final byte[] big = new byte[PuntMessage.MAX_FRAME + 1];
        assertFalse(channel.inject(0, 0, 0, 0, new UnsafeBuffer(big), 0, big.length));
        assertFalse(channel.punt(1, batchOf(big, 1), 0));
    }
}
