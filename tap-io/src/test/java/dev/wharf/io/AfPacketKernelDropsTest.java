package dev.wharf.io;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.WorkerCounters;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.dataplane.worker.WorkerAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames the kernel drops for a full receive ring are counted, per port, by the worker that owns the
 * queue: a burst far larger than a small ring arrives while no worker drains it, then a worker runs,
 * and what it received plus {@link CounterLayout#PORT_RX_KERNEL_DROPS} is every frame the veth
 * delivered (its own rx_packets). Before the counter existed about nine frames in ten of such a
 * burst were in no counter at all.
 */
final class AfPacketKernelDropsTest
{
    private static final int BURST = 20_000;
    private Topology topology;

    @BeforeEach
    void setUp()
    {
        Privileges.requireRoot();
        topology = new Topology("hbk");
    }

    @AfterEach
    void tearDown()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void aBurstIntoAFullRingIsReceivedOrCountedAsKernelDrops(final TpacketVersion version) throws Exception
    {
        final String namespace = topology.namespace("a");
        final String host = topology.name("a");
        final String peer = topology.name("ap");
        topology.veth(host, peer, namespace, "10.78.0.1/24");
        // a quiet link: no IPv6 (router solicitations, MLD) and no ARP, so the burst is all the link carries
        Shell.run("sysctl", "-q", "-w", "net.ipv6.conf." + host + ".disable_ipv6=1");
        Shell.run(Shell.inNamespace(namespace, "sysctl", "-q", "-w", "net.ipv6.conf." + peer + ".disable_ipv6=1"));
        Shell.run(Shell.inNamespace(namespace, "ip", "neigh", "replace", "10.78.0.50", "lladdr", "02:00:00:00:78:99", "dev", peer,
            "nud", "permanent"));
        // 256 frames (V2) or two 128 KiB blocks (V3, some 2,000 small frames): a tenth of the burst at most
        final PortOptions options = PortOptions.DEFAULT.withRingVersion(version).withRxFrames(256).withRxRing(2, 128 * 1024);
        try (Port port = AfPacket.open(host, 1, options))
        {
            final PortBinding binding = new PortBinding(0, port, 0, false, 0, new int[0], port.mtu(), 16);
            final NetworkState network = new NetworkState(0, "n", 0x0A4E0000, 24, 0x0A4E0001, 0x02420a4e0001L,
                new FdbTable(1024, CounterLayout.MAX_PORTS), new int[] {0});
            final DataplaneSnapshot snapshot = new DataplaneSnapshot(1, new NetworkState[] {network}, new PortBinding[] {binding}, 1);
            final WorkerAgent worker = new WorkerAgent(0, () -> snapshot, Pipeline.bridge());
            final CounterLayout layout = worker.graph().layout();
            final WorkerCounters counters = worker.context().counters;
            // whatever the kernel counted on the socket before the burst is not part of it
            port.queue(0).takeKernelDrops();
            final long deliveredBefore = rxPackets(host);

            // no worker drains the ring meanwhile
            Shell.run(60, Shell.inNamespace(namespace, PortContractTest.PYTHON, "-c",
                "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                "for _ in range(" + BURST + "):\n    s.sendto(b'x' * 18, ('10.78.0.50', 40003))\n"));
            final long delivered = rxPackets(host) - deliveredBefore;

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long rx = 0;
            long kernelDrops = 0;
            while (rx + kernelDrops < delivered && System.nanoTime() < deadline)
            {
                if (worker.doWork() == 0)
                {
                    Thread.sleep(5);
                }
                rx = counters.get(layout.portCounter(0, CounterLayout.PORT_RX_PACKETS));
                kernelDrops = counters.get(layout.portCounter(0, CounterLayout.PORT_RX_KERNEL_DROPS));
            }
            // one more interval: nothing beyond the burst may show up
            Thread.sleep(WorkerAgent.KERNEL_DROPS_INTERVAL_MS * 2);
            worker.doWork();
            rx = counters.get(layout.portCounter(0, CounterLayout.PORT_RX_PACKETS));
            kernelDrops = counters.get(layout.portCounter(0, CounterLayout.PORT_RX_KERNEL_DROPS));
            System.out.println("[AfPacketKernelDropsTest] TPACKET_" + version + ": sent " + BURST + ", the veth delivered " + delivered +
                ", the worker received " + rx + ", kernel drops counted " + kernelDrops + ", pipeline drops " +
                counters.get(layout.portCounter(0, CounterLayout.PORT_RX_DROPS)));

            assertTrue(delivered >= BURST, "the veth delivered the whole burst: " + delivered);
            assertTrue(kernelDrops > 0, "the ring overflowed, and the overflow is counted");
            assertTrue(rx < BURST / 2, "most of the burst could not fit: " + rx + " received");
            assertEquals(delivered, rx + kernelDrops, "every frame delivered to the socket is received or counted as a kernel drop");
        }
    }

    private static long rxPackets(final String link)
    {
        return Long.parseLong(Shell.run("cat", "/sys/class/net/" + link + "/statistics/rx_packets").trim());
    }
}
