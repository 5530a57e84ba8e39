package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.testing.Fixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One duty cycle of a worker over in-memory ports: receive, run, send, count, give the memory back. */
class WorkerAgentTest
{
    private final MemoryPort a = new MemoryPort("a", 1500, 300);
    private final MemoryPort b = new MemoryPort("b", 1500, 300);

    @AfterEach
    void tearDown()
    {
        a.close();
        b.close();
    }

    private DataplaneSnapshot snapshot(final long version)
    {
        final NetworkState network = new NetworkState(0, "n", 0x0A000000, 24, 0x0A000001, 0x02420a000001L,
            new FdbTable(1024, CounterLayout.MAX_PORTS), new int[]{0, 1});
        return new DataplaneSnapshot(version, new NetworkState[]{network}, new PortBinding[]{
            new PortBinding(0, a, 0, false, 0, new int[0], 1500, 100),
            new PortBinding(1, b, 0, false, 0, new int[0], 1500, 100)}, 1);
    }

    @Test
    void aDutyCycleForwardsEveryWaitingFrameAndCountsThePorts()
    {
        final DataplaneSnapshot snapshot = snapshot(42);
        final WorkerAgent worker = new WorkerAgent(0, () -> snapshot, Pipeline.bridge());
        final byte[] ping = Fixture.frame("icmp_echo_gateway_56");
        final byte[] udp = Fixture.frame("udp_a_to_b");
        for (int i = 0; i < 300; i++)
        {
            a.inject(i % 2 == 0 ? ping : udp);
        }

        final int first = worker.doWork();
        final int second = worker.doWork();
        final int idle = worker.doWork();

        assertEquals(256, first, "one batch per port per cycle");
        assertEquals(44, second);
        assertEquals(0, idle);
        assertEquals(42, worker.observedVersion());
        assertEquals(150, b.sent().size(), "the UDP frames flooded to b");
        assertArrayEquals(udp, b.sent().get(0));
        assertEquals(150, a.sent().size(), "the pings answered on a");
        assertArrayEquals(Fixture.frame("icmp_echo_gateway_56_expected_reply"), a.sent().get(0));
        final CounterLayout layout = worker.graph().layout();
        assertEquals(300, worker.context().counters.get(layout.portCounter(0, CounterLayout.PORT_RX_PACKETS)));
        assertEquals(150L * ping.length + 150L * udp.length, worker.context().counters.get(layout.portCounter(0, CounterLayout.PORT_RX_BYTES)));
        assertEquals(150, worker.context().counters.get(layout.portCounter(1, CounterLayout.PORT_TX_PACKETS)));
        assertEquals(2, worker.busyCycles());
        assertEquals(1, worker.idleCycles());
        for (int i = 0; i < 300; i++)
        {
            a.inject(udp); // the slots came back: all 300 fit again
        }
        assertEquals(256, worker.doWork());
    }

    @Test
    void framesTheKernelDroppedAreCountedPerPortUnderTheirOwnCounter() throws InterruptedException
    {
        final DataplaneSnapshot snapshot = snapshot(1);
        final WorkerAgent worker = new WorkerAgent(0, () -> snapshot, Pipeline.bridge());
        final CounterLayout layout = worker.graph().layout();
        final int kernelDropsOfA = layout.portCounter(0, CounterLayout.PORT_RX_KERNEL_DROPS);
        a.dropInKernel(7);
        b.dropInKernel(2);

        worker.doWork();

        assertEquals(7, worker.context().counters.get(kernelDropsOfA), "the first cycle reads the kernel's count");
        assertEquals(2, worker.context().counters.get(layout.portCounter(1, CounterLayout.PORT_RX_KERNEL_DROPS)));
        assertEquals(0, worker.context().counters.get(layout.portCounter(0, CounterLayout.PORT_RX_DROPS)), "not a pipeline drop");
        assertEquals(0, worker.context().counters.get(layout.portCounter(0, CounterLayout.PORT_RX_PACKETS)));

        a.dropInKernel(5);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (worker.context().counters.get(kernelDropsOfA) < 12 && System.nanoTime() < deadline)
        {
            Thread.sleep(WorkerAgent.KERNEL_DROPS_INTERVAL_MS / 4);
            worker.doWork();
        }
        assertEquals(12, worker.context().counters.get(kernelDropsOfA), "read again once the interval is over, and added");
    }
}
