package dev.wharf.control.e2e;

import dev.wharf.control.metrics.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The metrics endpoint of a real daemon with an uplink set (issue 18: a scrape once failed with
 * HTTP 500 as soon as there was one): c1 pings the outside through the uplink, masqueraded, then two
 * containers ping each other, the scrape shows each port's counters moved by exactly the frames that
 * crossed it, and a real Prometheus server (Debian's package, run by the test on its own config,
 * storage and port) scrapes the endpoint and answers a query with both ports' series and the uplink's.
 */
class MetricsEndToEndTest
{
    private static final int PINGS = 5;
    /** An Ethernet ARP frame as Linux sends it on a veth: 14 + 28 bytes, no padding. */
    private static final int ARP_BYTES = 42;
    /** An Ethernet echo request or reply with ping's default 56 data bytes: 14 + 20 + 8 + 56. */
    private static final int ECHO_BYTES = 98;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String OUTSIDE_IP = "10.99.0.1";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Topology topology;
    private WharfDaemonProcess wharf;
    private Process prometheus;
    private Path prometheusDir;
    private int metricsPort;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "prometheus");
        topology = new Topology("wtm");
        metricsPort = freeLoopbackPort();
        wharf = new WharfDaemonProcess("--metrics", "127.0.0.1:" + metricsPort).start();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            stopPrometheus();
        }
        finally
        {
            try
            {
                if (wharf != null)
                {
                    wharf.close();
                }
            }
            finally
            {
                if (topology != null)
                {
                    topology.close();
                }
                deleteTree(prometheusDir);
            }
        }
    }

    @Test
    void aPingMovesEachPortsCountersByItsFramesAndPrometheusScrapesThem() throws Exception
    {
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        final String c1 = topology.namespace("c1");
        final String c2 = topology.namespace("c2");
        final String p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        final String p2 = topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", p2, "--ip", "10.10.0.3");
        // c2 knows c1 for good: without it c2 would confirm the neighbour its ARP request taught it with
        // a unicast probe some 5 s into the ping (STALE -> DELAY -> PROBE), two frames at a time we cannot pin
        topology.exec(c2, "ip", "neigh", "replace", "10.10.0.2", "lladdr", topology.mac(c1, "eth0"), "nud", "permanent", "dev", "eth0")
            .assertOk("static neighbour in c2");
        final String outside = topology.namespace("out");
        final String uplink = topology.container(outside, topology.name("up"), OUTSIDE_IP + "/24", null);
        wharf.ok("uplink", "set", uplink, "--ip", "10.99.0.2/24", "--gateway", OUTSIDE_IP);
        // before the counted pings: the uplink's counters move, and c1's gateway ARP is done by then.
        // The router drops the first echo while it resolves the outside (ping succeeds on any reply)
        topology.exec(20, c1, "ping", "-c", "3", "-i", "0.2", "-W", "2", OUTSIDE_IP).assertOk("c1 -> outside, masqueraded\n" + wharf.log());

        final Scrape before = scrape();
        assertTrue(topology.ping(c1, "10.10.0.3", PINGS), "c1 -> c2 ping through Wharf\n" + wharf.log());
        final Scrape after = scrape();

        // c1: ARP request (broadcast) and the echo requests in; ARP reply and the echo replies out.
        // c2: the flooded ARP request and the echo requests out; ARP reply and the echo replies in.
        final long frames = 1 + PINGS;
        final long bytes = ARP_BYTES + PINGS * ECHO_BYTES;
        for (final String port : List.of(p1, p2))
        {
            assertEquals(frames, delta(before, after, "wharf_port_rx_packets_total", port), port + " rx packets\n" + after.text());
            assertEquals(frames, delta(before, after, "wharf_port_tx_packets_total", port), port + " tx packets");
            assertEquals(bytes, delta(before, after, "wharf_port_rx_bytes_total", port), port + " rx bytes");
            assertEquals(bytes, delta(before, after, "wharf_port_tx_bytes_total", port), port + " tx bytes");
            assertEquals(0, delta(before, after, "wharf_port_rx_drops_total", port), port + " rx drops");
            assertEquals(0, delta(before, after, "wharf_port_tx_drops_total", port), port + " tx drops");
            assertEquals(1, after.samples("wharf_port_rx_packets_total", "port", port, "network", "front", "kind", "af_packet").size());
        }
        assertEquals(2, after.value("wharf_fdb_entries", "network", "front"), "both MACs learned");
        assertTrue(after.value("wharf_node_packets_total", "node", "ethernet-input") >= 2 * frames);
        assertTrue(after.has("jvm_memory_used_bytes"), "JVM metrics served too");
        assertEquals(1, after.samples("wharf_port_rx_packets_total", "port", uplink, "network", "uplink", "kind", "af_packet").size());
        assertTrue(after.value("wharf_port_rx_packets_total", "port", uplink) >= 2, "at least an ARP reply and an echo reply came in");
        assertTrue(after.value("wharf_port_tx_packets_total", "port", uplink) >= 2, "at least an ARP request and an echo request went out");

        // drops and events are two families, node and reason two labels: a reply sent is never a drop
        assertTrue(after.value("wharf_node_events_total", "node", "arp-input", "event", "replied") >= 1, "c1's ARP for its gateway");
        assertTrue(after.value("wharf_node_events_total", "node", "l2-learn", "event", "new-mac") >= 2, "c1 and c2 at least");
        assertFalse(after.has("wharf_drops_total", "node", "arp-input", "reason", "replied"));
        assertFalse(after.has("wharf_node_errors_total"), "the old family that mixed them is gone");
        assertEquals(0, after.value("wharf_drops_total", "node", "ethernet-input", "reason", "runt"), "listed at zero");
        assertEquals(1, after.value("wharf_build_info", "java", Runtime.version().toString()), "the daemon runs on the tests' JDK");
        assertFalse(after.text().contains("_nanoseconds"), "times in seconds");

        startPrometheus();
        final String h1 = after.value("wharf_port_rx_packets_total", "port", p1) + "";
        final String h2 = after.value("wharf_port_rx_packets_total", "port", p2) + "";
        final long deadline = System.nanoTime() + WAIT.toNanos();
        String answer = "";
        while (System.nanoTime() < deadline)
        {
            answer = query("wharf_port_rx_packets_total");
            // the newest sample of each port's series, once Prometheus has scraped after the ping
            if (seriesValue(answer, p1).equals(h1) && seriesValue(answer, p2).equals(h2) && !seriesValue(answer, uplink).isEmpty())
            {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(answer.contains("\"status\":\"success\""), answer);
        assertEquals(h1, seriesValue(answer, p1), () -> "wtm-h1's series in Prometheus\n" + prometheusLog());
        assertEquals(h2, seriesValue(answer, p2), () -> "wtm-h2's series in Prometheus\n" + prometheusLog());
        assertTrue(answer.contains("\"job\":\"wharf\""), answer);
        assertTrue(Long.parseLong(seriesValue(answer, uplink)) >= 2, () -> "the uplink's series in Prometheus\n" + prometheusLog());

        final String replied = query("wharf_node_events_total{node=\"arp-input\",event=\"replied\"}");
        assertTrue(Long.parseLong(onlyValue(replied)) >= 1, () -> replied + "\n" + prometheusLog());
        final String runts = query("wharf_drops_total{node=\"ethernet-input\",reason=\"runt\"}");
        assertEquals("0", onlyValue(runts), runts);
        final String build = query("wharf_build_info");
        assertEquals("1", onlyValue(build), build);
        assertTrue(build.contains("\"java\":\"" + Runtime.version() + "\"") && build.contains("\"version\":\""), build);
        final String errors = query("wharf_node_errors_total");
        assertTrue(errors.contains("\"result\":[]"), () -> "no series of the old name: " + errors);
    }

    /** The value of the one series a query answered; fails unless there is exactly one. */
    private static String onlyValue(final String answer)
    {
        final Matcher m = Pattern.compile("\\{\"metric\":\\{[^}]*},\"value\":\\[[0-9.]+,\"([^\"]*)\"]").matcher(answer);
        assertTrue(m.find(), answer);
        final String value = m.group(1);
        assertFalse(m.find(), () -> "more than one series: " + answer);
        return value;
    }

    private static long delta(final Scrape before, final Scrape after, final String name, final String port)
    {
        return after.value(name, "port", port) - before.value(name, "port", port);
    }

    private Scrape scrape() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return new Scrape(response.body());
    }

    /** The value of the result series whose {@code port} label is {@code port}, or "" when Prometheus has none. */
    private static String seriesValue(final String answer, final String port)
    {
        final Matcher m = Pattern.compile("\\{\"metric\":\\{[^}]*\"port\":\"" + Pattern.quote(port) + "\"[^}]*},\"value\":\\[[0-9.]+,\"([^\"]*)\"]")
            .matcher(answer);
        return m.find() ? m.group(1) : "";
    }

    // ---- the Prometheus server: its own config, storage and port, stopped by its PID

    private int prometheusPort;

    private void startPrometheus() throws IOException, InterruptedException
    {
        prometheusDir = Files.createTempDirectory("wharf-e2e-prometheus");
        final Path config = prometheusDir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: wharf",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + metricsPort + "']",
            ""));
        prometheusPort = freeLoopbackPort();
        prometheus = new ProcessBuilder(
            Host.which("prometheus").toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + prometheusDir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + prometheusPort)
            .redirectErrorStream(true)
            .redirectOutput(prometheusDir.resolve("prometheus.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!prometheus.isAlive())
            {
                fail("prometheus exited with " + prometheus.exitValue() + ":\n" + prometheusLog());
            }
            if (readyStatus() == 200)
            {
                return;
            }
            Thread.sleep(200);
        }
        fail("prometheus not ready within " + WAIT.toSeconds() + " s:\n" + prometheusLog());
    }

    private String query(final String promQl) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(
            prometheusRequest("/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8)),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return response.body();
    }

    /** The status of Prometheus's readiness check, or -1 while it does not listen yet (the caller retries). */
    private int readyStatus() throws InterruptedException
    {
        try
        {
            return http.send(prometheusRequest("/-/ready"), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final IOException e)
        {
            return -1;
        }
    }

    private HttpRequest prometheusRequest(final String path)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path)).timeout(Duration.ofSeconds(5)).build();
    }

    private String prometheusLog()
    {
        try
        {
            final Path log = prometheusDir == null ? null : prometheusDir.resolve("prometheus.log");
            return log != null && Files.exists(log) ? Files.readString(log) : "(no log)";
        }
        catch (final IOException e)
        {
            return "(log unreadable: " + e + ")";
        }
    }

    private void stopPrometheus() throws InterruptedException
    {
        if (prometheus != null && prometheus.isAlive())
        {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS))
            {
                prometheus.destroyForcibly();
                prometheus.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static int freeLoopbackPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
