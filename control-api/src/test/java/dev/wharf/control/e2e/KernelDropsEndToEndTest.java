package dev.wharf.control.e2e;

import dev.wharf.control.metrics.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames lost before the switch sees them are counted: a burst into an AF_PACKET port while the daemon
 * is stopped (SIGSTOP, so no worker drains the port's receive ring) overflows the ring, and once the daemon
 * runs again {@code wharf stats} accounts for every frame the kernel delivered to the port's interface
 * (its rx_packets, what {@code ip -s link} shows): received, or counted as a kernel drop, a counter of its
 * own that the metrics show too. Before, most of such a burst was in no counter at all.
 */
class KernelDropsEndToEndTest
{
    private static final int BURST = 50_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Topology topology;
    private WharfDaemonProcess wharf;
    private int metricsPort;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (wharf != null)
            {
                // never leave a stopped daemon behind, whatever failed
                Host.run(10, "kill", "-CONT", String.valueOf(wharf.pid()));
                wharf.close();
            }
        }
        finally
        {
            if (topology != null)
            {
                topology.close();
            }
        }
    }

    @Test
    void aBurstIntoAStoppedDaemonIsReceivedOrCountedAsKernelDrops() throws Exception
    {
        Host.requireRootAnd("ip", "python3", "kill");
        topology = new Topology("hbkd");
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            metricsPort = probe.getLocalPort();
        }
        wharf = new WharfDaemonProcess("--metrics", "127.0.0.1:" + metricsPort).start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        final String c1 = topology.namespace("c1");
        final String p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        // no ARP: the burst goes to a neighbour that is not there, so it is the only traffic on the link
        topology.exec(c1, "ip", "neigh", "replace", "10.10.0.99", "lladdr", "02:00:00:00:99:99", "dev", "eth0", "nud", "permanent")
            .assertOk("static neighbour");
        final Path rxPackets = Path.of("/sys/class/net/" + p1 + "/statistics/rx_packets");

        // the link is quiet, so the port's counters and the interface's agree from here on
        final long deliveredBefore = Long.parseLong(Files.readString(rxPackets).trim());
        final long accountedBefore = accounted(p1);

        Host.run(10, "kill", "-STOP", String.valueOf(wharf.pid())).assertOk("kill -STOP");
        try
        {
            topology.exec(120, c1, "/usr/bin/python3", "-c",
                "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                "for _ in range(" + BURST + "):\n    s.sendto(b'x' * 18, ('10.10.0.99', 40004))\n").assertOk("burst");
        }
        finally
        {
            Host.run(10, "kill", "-CONT", String.valueOf(wharf.pid())).assertOk("kill -CONT");
        }
        final long delivered = Long.parseLong(Files.readString(rxPackets).trim()) - deliveredBefore;

        // the worker reads the kernel's count every 100 ms: wait until everything delivered is accounted for
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long accounted = accounted(p1) - accountedBefore;
        while (accounted < delivered && System.nanoTime() < deadline)
        {
            Thread.sleep(200);
            accounted = accounted(p1) - accountedBefore;
        }
        Thread.sleep(500);
        final long rx = Stats.port(wharf, p1, "rxPackets");
        final long kernelDrops = Stats.port(wharf, p1, "rxKernelDrops");
        final String table = wharf.ok("stats");
        System.out.println("[KernelDropsEndToEndTest] sent " + BURST + ", " + p1 + " delivered " + delivered + ", the switch received " +
            rx + ", kernel drops " + kernelDrops + ", pipeline drops " + Stats.port(wharf, p1, "rxDrops") + "\n" + table);

        assertTrue(delivered >= BURST, "the interface took the whole burst: " + delivered);
        assertTrue(kernelDrops > 0, "the stopped daemon's ring overflowed, and the overflow is counted");
        assertEquals(delivered, accounted(p1) - accountedBefore, "every delivered frame received or counted as a kernel drop");
        assertTrue(table.contains("KERNEL DROPS") && table.contains(Long.toString(kernelDrops)), table);
        final Scrape scrape = scrape();
        assertEquals(kernelDrops, scrape.value("wharf_port_rx_kernel_drops_total", "port", p1), "the metrics show the same count");
        assertEquals(rx, scrape.value("wharf_port_rx_packets_total", "port", p1));
    }

    /** Frames of the port's interface the switch accounts for: received, or dropped by the kernel before it could. */
    private long accounted(final String port)
    {
        return Stats.port(wharf, port, "rxPackets") + Stats.port(wharf, port, "rxKernelDrops");
    }

    private Scrape scrape() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return new Scrape(response.body());
    }
}
