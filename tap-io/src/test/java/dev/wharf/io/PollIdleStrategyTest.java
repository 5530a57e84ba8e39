package dev.wharf.io;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.port.Port;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The poll idle strategy sleeps in poll(2) on the worker's descriptors once spinning is over, and a
 * frame arriving wakes it; with no ports it still returns (the timeout), so new snapshots are seen.
 * No assertion on time beyond "returns at all": the bound is the poll timeout.
 */
final class PollIdleStrategyTest
{
    private Topology topology;

    @BeforeEach
    void setUp()
    {
        Privileges.requireRoot();
        topology = new Topology();
    }

    @AfterEach
    void tearDown()
    {
        if (topology != null)
        {
            topology.close();
        }
    }

    @Test
    void sleepsInPollAndWakesForAFrame() throws Exception
    {
        final String namespace = topology.namespace("a");
        final String host = topology.name("a");
        final String peer = topology.name("ap");
        topology.veth(host, peer, namespace, "10.77.0.1/24");
        try (Port port = AfPacket.open(host, 1, PortOptions.DEFAULT))
        {
            final PortBinding binding = new PortBinding(0, port, 0, false, 0, new int[0], port.mtu(), 16);
            final AtomicReference<DataplaneSnapshot> snapshot = new AtomicReference<>(DataplaneSnapshot.EMPTY);
            final PollIdleStrategy idle = new PollIdleStrategy(0, snapshot::get, 1_000, 1_000, 10);
            // no ports: poll(2) with nothing to wait for is a 10 ms sleep, and returns
            idle.reset();
            for (int i = 0; i < 50 && idle.polls() == 0; i++)
            {
                idle.idle(0);
                Thread.sleep(0, 500_000);
            }
            assertTrue(idle.polls() > 0);

            snapshot.set(new DataplaneSnapshot(1, new NetworkState[0], new PortBinding[] {binding}, 1));
            assertEquals(1, snapshot.get().pollDescriptors(0).length);
            Shell.run(Shell.inNamespace(namespace, "ip", "neigh", "replace", "10.77.0.50", "lladdr", "02:00:00:00:77:99", "dev", peer,
                "nud", "permanent"));
            final Process sender = Shell.start(Shell.inNamespace(namespace, PortContractTest.PYTHON, "-c",
                "import socket,time\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                "for _ in range(30):\n    s.sendto(b'x', ('10.77.0.50', 40002)); time.sleep(0.1)\n"));
            try
            {
                final long before = idle.polls();
                final long start = System.nanoTime();
                while (idle.polls() < before + 20 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5))
                {
                    idle.idle(0);
                }
                assertTrue(idle.polls() >= before + 20, "the strategy keeps sleeping in poll and returning");
            }
            finally
            {
                sender.destroy();
                sender.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
