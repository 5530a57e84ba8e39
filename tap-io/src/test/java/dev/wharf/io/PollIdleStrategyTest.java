package dev.wharf.io;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.port.Port;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    /**
     * With nothing to do the strategy goes straight to poll(2) with a timeout far longer than the test;
     * one datagram must end that sleep. TPACKET_V2 wakes poll for the frame itself, TPACKET_V3 only when
     * the block retires, which is what the printed delays from send to wake-up show (not asserted: tests
     * never time).
     */
    @ParameterizedTest
    @EnumSource(TpacketVersion.class)
    void aFrameEndsTheSleepInPoll(final TpacketVersion version) throws Exception
    {
        final Topology own = new Topology("wtb");
        try
        {
            final String namespace = own.namespace("a");
            final String host = own.name("a");
            final String peer = own.name("ap");
            own.veth(host, peer, namespace, "10.77.0.1/24");
            Shell.run(Shell.inNamespace(namespace, "ip", "neigh", "replace", "10.77.0.50", "lladdr", "02:00:00:00:77:99", "dev", peer,
                "nud", "permanent"));
            try (Port port = AfPacket.open(host, 1, PortOptions.DEFAULT.withRingVersion(version)))
            {
                final PortBinding binding = new PortBinding(0, port, 0, false, 0, new int[0], port.mtu(), 16);
                final DataplaneSnapshot snapshot = new DataplaneSnapshot(1, new NetworkState[0], new PortBinding[] {binding}, 1);
                final PollIdleStrategy idle = new PollIdleStrategy(0, () -> snapshot, 0, 0, 30_000);
                final dev.wharf.dataplane.buffer.PacketBatch batch = new dev.wharf.dataplane.buffer.PacketBatch();
                final long[] delayUs = new long[5];
                for (int k = 0; k < delayUs.length; k++)
                {
                    final Process sender = Shell.start(Shell.inNamespace(namespace, PortContractTest.PYTHON, "-c",
                        "import socket,time\ntime.sleep(0.3)\n" +
                        "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); t=time.time_ns(); s.sendto(b'x', ('10.77.0.50', 40002)); print(t)\n"));
                    java.time.Instant woken = null;
                    final long sentNs;
                    try
                    {
                        // other frames (IPv6 neighbour discovery) may end a sleep too: sleep again until the datagram is in
                        final long start = System.nanoTime();
                        while (woken == null)
                        {
                            idle.reset();
                            idle.idle(0);
                            final java.time.Instant now = java.time.Instant.now();
                            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "poll slept out its timeout");
                            batch.clear();
                            final int n = port.queue(0).receive(batch, 0, 16);
                            for (int i = 0; i < n; i++)
                            {
                                final byte[] frame = new byte[batch.length[i]];
                                batch.frame(i).getBytes(0, frame);
                                woken = PortContractTest.isUdpTo(frame, 40002) ? now : woken;
                            }
                            port.queue(0).releaseReceived();
                        }
                        assertTrue(sender.waitFor(10, TimeUnit.SECONDS));
                        sentNs = Long.parseLong(Shell.read(sender.getInputStream()).trim());
                    }
                    finally
                    {
                        sender.destroy();
                    }
                    delayUs[k] = (woken.getEpochSecond() * 1_000_000_000L + woken.getNano() - sentNs) / 1_000;
                }
                System.out.println("[PollIdleStrategyTest] TPACKET_" + version + ": from sendto() in the namespace to the worker awake (us): " +
                    java.util.Arrays.toString(delayUs));
            }
        }
        finally
        {
            own.close();
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
