package dev.wharf.control.e2e;

import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.Backend;
import dev.wharf.control.api.v1.ListServicesResponse;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.TraceStep;
import dev.wharf.control.api.v1.TracedPacket;
import dev.wharf.control.api.v1.TrafficStats;
import dev.wharf.control.api.v1.VirtualService;
import dev.wharf.control.metrics.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the load balancer shows of its traffic (issue 13 part 8), with real namespaces: network
 * {@code front} (10.78.0.0/24) holds a client c1 (10.78.0.2) and two backends b1, b2 (10.78.0.11, .12),
 * each a netpeer TCP server on 8080 answering with its name; the VIP 10.78.0.100:80/tcp ("web", rr) is
 * hairpinned within front. {@code lb ls --stats --json} counts exactly the connections the client made,
 * with packets and bytes both ways; {@code --rate} shows them per second; the daemon's metrics endpoint
 * serves the per-service and per-backend series, labelled, and drops a removed backend's; a trace of a
 * new connection names the service, its scheduler and the backend that answered. The daemon runs without
 * host access (its interface and routes are one per host), namespaces and interfaces carry {@code ob-}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LoadBalancerObservabilityEndToEndTest
{
    private static final String VIP = "10.78.0.100";
    private static final String WEB = VIP + ":80/tcp";
    private static final String[] BACKENDS = {"10.78.0.11", "10.78.0.12"};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<BackgroundProcess> processes = new ArrayList<>();
    private Topology topology;
    private WharfDaemonProcess wharf;
    private int metricsPort;
    private String client;
    private String clientPort;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "python3");
        topology = new Topology("ob");
        metricsPort = freeLoopbackPort();
        wharf = new WharfDaemonProcess("--host-access", "false", "--metrics", "127.0.0.1:" + metricsPort).start();
        wharf.ok("network", "create", "front", "--subnet", "10.78.0.0/24");
        client = topology.namespace("c1");
        clientPort = topology.container(client, "ob-c1", "10.78.0.2/24", "10.78.0.1");
        wharf.ok("port", "attach", "front", clientPort, "--ip", "10.78.0.2");
        for (int b = 0; b < BACKENDS.length; b++)
        {
            final String name = "b" + (b + 1);
            final String ns = topology.namespace(name);
            wharf.ok("port", "attach", "front", topology.container(ns, "ob-" + name, BACKENDS[b] + "/24", "10.78.0.1"), "--ip", BACKENDS[b]);
            processes.add(NetPeer.server(ns, "tcp-server", 8080, name));
        }
        wharf.ok("lb", "add", WEB, "--scheduler", "rr", "--name", "web");
        for (final String backend : BACKENDS)
        {
            wharf.ok("lb", "backend", "add", WEB, backend + ":8080");
        }
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final BackgroundProcess process : processes)
            {
                process.close();
            }
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
        }
    }

    private static int freeLoopbackPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private Scrape scrape() throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        return new Scrape(response.body());
    }

    /** {@code count} connections from c1 to the VIP at once, each one request and its answer: which backend answered each. */
    private Map<String, Integer> requests(final int count)
    {
        final Host.Result result = NetPeer.client(client, "tcp-parallel", VIP, "80", Integer.toString(count));
        result.assertOk("connections to the VIP");
        assertTrue(result.stdout().startsWith("ok=" + count + "\n"), result.stdout() + "\n" + wharf.log());
        final Map<String, Integer> hits = new TreeMap<>();
        final Matcher m = NetPeer.ANSWER.matcher(result.stdout());
        while (m.find())
        {
            hits.merge(m.group(1), 1, Integer::sum);
        }
        return hits;
    }

    private ListServicesResponse listed(final String... flags) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("lb", "ls", "--json"));
        args.addAll(List.of(flags));
        final ListServicesResponse.Builder builder = ListServicesResponse.newBuilder();
        JsonFormat.parser().merge(wharf.ok(args.toArray(new String[0])), builder);
        return builder.build();
    }

    @Test
    void lbLsCountsTheRequestsAndTheMetricsEndpointServesTheLabelledSeries() throws Exception
    {
        // rounds of requests until the estimator's 2-second interval has seen some: the rates then show them
        int made = 0;
        double connectionsPerSecond = 0;
        for (int round = 0; round < 15 && connectionsPerSecond == 0; round++)
        {
            assertEquals(Map.of("b1", 5, "b2", 5), requests(10), "rr over the two backends");
            made += 10;
            Thread.sleep(700);
            connectionsPerSecond = listed("--rate").getServices(0).getRates().getConnectionsPerSecond();
        }
        assertTrue(connectionsPerSecond > 0, "lb ls --rate showed the connections per second: " + wharf.ok("lb", "ls", "--rate"));

        final VirtualService web = listed("--stats").getServices(0);
        final TrafficStats total = web.getStats();
        assertEquals(made, total.getConnections(), "every request a connection scheduled: " + web);
        assertTrue(total.getPacketsIn() >= 3L * made, "SYN, ACK, request, FIN... of every connection: " + total);
        assertTrue(total.getPacketsOut() >= 2L * made, "SYN-ACK, answer... back through the switch (NAT): " + total);
        assertTrue(total.getBytesIn() >= 40 * total.getPacketsIn() && total.getBytesOut() >= 40 * total.getPacketsOut(), total.toString());
        long backendPacketsIn = 0;
        long backendBytesOut = 0;
        for (final Backend backend : web.getBackendsList())
        {
            assertEquals(made / 2, backend.getStats().getConnections(), backend.toString());
            assertTrue(backend.getStats().getPacketsIn() > 0 && backend.getStats().getBytesOut() > 0, backend.toString());
            backendPacketsIn += backend.getStats().getPacketsIn();
            backendBytesOut += backend.getStats().getBytesOut();
        }
        assertEquals(total.getPacketsIn(), backendPacketsIn, "the service's totals are its backends'");
        assertEquals(total.getBytesOut(), backendBytesOut);
        final String table = wharf.ok("lb", "ls", "--stats");
        final String connections = " " + made + " ";
        assertTrue(table.lines().anyMatch(line -> line.startsWith(WEB) && line.contains(" all ") && line.contains(connections)), table);

        final Scrape scrape = scrape();
        for (int b = 0; b < BACKENDS.length; b++)
        {
            final String[] labels = {"service", WEB, "name", "web", "backend", BACKENDS[b] + ":8080"};
            final Backend listedBackend = web.getBackends(b);
            assertEquals(listedBackend.getStats().getConnections(), scrape.value("wharf_lb_backend_connections_total", labels));
            assertTrue(scrape.value("wharf_lb_backend_in_packets_total", labels) >= listedBackend.getStats().getPacketsIn(), scrape.text());
            assertTrue(scrape.value("wharf_lb_backend_out_bytes_total", labels) > 0);
            assertEquals(1, scrape.value("wharf_lb_backend_up", labels));
            assertTrue(scrape.has("wharf_lb_backend_active_connections", labels) && scrape.has("wharf_lb_backend_inactive_connections", labels));
        }
        assertEquals(made, scrape.value("wharf_lb_service_connections_total", "service", WEB, "name", "web"));
        assertTrue(scrape.value("wharf_lb_service_in_bytes_total", "service", WEB) >= total.getBytesIn());
        assertEquals(1, scrape.value("wharf_lb_services"));

        wharf.ok("lb", "backend", "rm", WEB, BACKENDS[1] + ":8080");
        final Scrape after = scrape();
        assertFalse(after.has("wharf_lb_backend_connections_total", "backend", BACKENDS[1] + ":8080"), "no stale series of a removed backend");
        assertTrue(after.has("wharf_lb_backend_connections_total", "backend", BACKENDS[0] + ":8080"));
        assertEquals(made, after.value("wharf_lb_service_connections_total", "service", WEB), "the service keeps its removed backend's counts");

        final Host.Result refused = wharf.cli("port", "attach", "front", "ob-nope", "--ip", VIP);
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.stderr().contains("is the VIP of virtual service " + WEB), refused.stderr());
    }

    @Test
    void theTraceOfANewConnectionNamesTheServiceTheSchedulerAndTheBackend() throws Exception
    {
        wharf.ok("trace", "start", "--port", clientPort, "--count", "20");
        final Matcher answer = NetPeer.tcp(client, VIP, 80, wharf.log());
        final String backend = BACKENDS[Integer.parseInt(answer.group(1).substring(1)) - 1] + ":8080";
        assertTrue(BackgroundProcess.await(10, () -> show().getTrace().getRecorded() >= 3), wharf.ok("trace", "show"));

        final List<String> details = new ArrayList<>();
        for (final TracedPacket packet : show().getPacketsList())
        {
            for (final TraceStep step : packet.getStepsList())
            {
                if (!step.getDetail().isEmpty())
                {
                    assertEquals("ip4-nat-in", step.getNode(), step.toString());
                    details.add(step.getDetail());
                }
            }
        }
        assertEquals(1, details.size(), "one decision: the SYN's; the connection's later packets follow its flow " + details);
        assertTrue(details.get(0).startsWith("lb: service " + WEB + " (web), scheduler rr: backend " + backend + ", mark "),
            "the backend that answered (" + answer.group(1) + "): " + details);
        final String text = wharf.ok("trace", "show");
        assertTrue(text.contains("      " + details.get(0)), text);
    }

    private ShowTraceResponse show()
    {
        try
        {
            final ShowTraceResponse.Builder builder = ShowTraceResponse.newBuilder();
            JsonFormat.parser().merge(wharf.ok("trace", "show", "--json"), builder);
            return builder.build();
        }
        catch (final Exception e)
        {
            throw new AssertionError(e);
        }
    }
}
