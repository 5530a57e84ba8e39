package dev.wharf.control.metrics;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.cli.ExitCodes;
import dev.wharf.control.cli.WharfMain;
import dev.wharf.control.client.WharfClient;
import dev.wharf.control.daemon.DaemonException;
import dev.wharf.control.daemon.WharfDaemon;
import dev.wharf.control.server.FakePortOpener;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon's metrics endpoint over real HTTP on loopback, and the {@code --metrics} option. */
class MetricsServerTest
{
    private static final DataplaneConfiguration CONFIGURATION = DataplaneConfiguration.defaults().withWorkers(1);
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path directory;

    private HttpResponse<String> get(final InetSocketAddress address, final String path, final String method) throws Exception
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheScrapeAtSlashMetricsOnly() throws Exception
    {
        final Path socket = directory.resolve("wharf.sock");
        try (WharfDaemon daemon = WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener(), null, ANY_LOOPBACK_PORT))
        {
            final InetSocketAddress address = daemon.metricsAddress();
            assertTrue(address.getAddress().isLoopbackAddress());
            assertTrue(address.getPort() > 0);
            try (WharfClient client = new WharfClient(socket))
            {
                client.networks().create(CreateNetworkRequest.newBuilder().setName("front").setSubnet("10.10.0.0/24").build());
            }

            final HttpResponse<String> response = get(address, "/metrics", "GET");
            assertEquals(200, response.statusCode());
            assertEquals(SwitchMetrics.CONTENT_TYPE, response.headers().firstValue("Content-Type").orElse(""));
            final Scrape scrape = new Scrape(response.body());
            assertEquals(0, scrape.value("wharf_fdb_entries", "network", "front"));
            assertTrue(scrape.has("wharf_worker_busy_cycles_total", "worker", "0"));

            assertEquals(200, get(address, "/metrics", "HEAD").statusCode());
            assertEquals(404, get(address, "/", "GET").statusCode());
            assertEquals(404, get(address, "/metrics/x", "GET").statusCode());
            final HttpResponse<String> post = get(address, "/metrics", "POST");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        }
    }

    @Test
    void aTakenAddressStopsTheStartWithAMessage() throws Exception
    {
        final Path socket = directory.resolve("wharf.sock");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            final DaemonException e = assertThrows(DaemonException.class,
                () -> WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener(), null, address));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(move them with --metrics HOST:PORT, or --metrics off)"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertFalse(Files.exists(socket), "nothing was served");
        // and the socket is free for the next try
        try (WharfDaemon daemon = WharfDaemon.start(socket, CONFIGURATION, new FakePortOpener(), null, ANY_LOOPBACK_PORT))
        {
            assertTrue(Files.exists(socket));
        }
    }

    @Test
    void withoutAnAddressNothingIsServed() throws Exception
    {
        try (WharfDaemon daemon = WharfDaemon.start(directory.resolve("wharf.sock"), CONFIGURATION, new FakePortOpener()))
        {
            assertNull(daemon.metricsAddress());
        }
    }

    @Test
    void parsesTheMetricsOption()
    {
        assertNull(MetricsAddress.parse("off"));
        assertNull(MetricsAddress.parse("OFF"));
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), MetricsAddress.parse(MetricsAddress.DEFAULT));
        assertEquals(new InetSocketAddress("0.0.0.0", 9100), MetricsAddress.parse("0.0.0.0:9100"), "any address, when asked for");
        assertEquals(new InetSocketAddress("::1", 9464), MetricsAddress.parse("[::1]:9464"));
        assertEquals(0, MetricsAddress.parse("127.0.0.1:0").getPort());
        for (final String bad : new String[] {"", "9464", ":9464", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1", "::1:9464", "[]:9464"})
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(bad), bad);
            assertEquals("--metrics " + bad + ": expected HOST:PORT (e.g. 127.0.0.1:9464) or off", e.getMessage());
        }
    }

    @Test
    void aBadOptionIsAUsageErrorOnOneLine()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = WharfMain.newCommandLine();
        cli.setErr(new PrintWriter(err, true));
        final int exit = cli.execute("daemon", "--socket", directory.resolve("w.sock").toString(), "--metrics", "localhost");
        assertEquals(ExitCodes.USAGE, exit);
        assertTrue(err.toString().startsWith("wharf: --metrics localhost: expected HOST:PORT"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertFalse(Files.exists(directory.resolve("w.sock")));
    }
}
