package dev.wharf.control.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@link SwitchMetrics} at {@value #PATH} over plain HTTP with the JDK's own server, for
 * Prometheus to scrape. One thread answers every request, so scrapes are serial and a scraper
 * cannot make the daemon spawn threads. Started and closed by the daemon's main thread.
 */
public final class MetricsServer implements AutoCloseable
{
    public static final String PATH = "/metrics";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final SwitchMetrics metrics;

    private MetricsServer(final HttpServer server, final ExecutorService executor, final SwitchMetrics metrics)
    {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
    }

    /** Binds {@code address} (port 0 picks a free one) and serves {@code metrics}, which it closes when closed. */
    public static MetricsServer start(final InetSocketAddress address, final SwitchMetrics metrics) throws IOException
    {
        final HttpServer server = HttpServer.create(address, 0);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r, "wharf-metrics");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metrics));
        server.start();
        return new MetricsServer(server, executor, metrics);
    }

    /** The bound address, with the port the kernel chose when asked for 0. */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    private static void handle(final HttpExchange exchange, final SwitchMetrics metrics) throws IOException
    {
        try (exchange)
        {
            final String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath()))
            {
                respond(exchange, 404, "not found: metrics are at " + PATH + "\n");
                return;
            }
            if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "method not allowed: use GET\n");
                return;
            }
            // scraped into memory first: the length goes in the header, and a failure can still answer 500
            final ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
            try
            {
                metrics.scrape(body);
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.warn("metrics scrape failed: {}", e.toString());
                respond(exchange, 500, "scrape failed: " + e + "\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", SwitchMetrics.CONTENT_TYPE);
            if ("HEAD".equals(method))
            {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody())
            {
                body.writeTo(out);
            }
        }
    }

    private static void respond(final HttpExchange exchange, final int status, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    /** Stops accepting at once (a scrape in progress is cut short; Prometheus retries at its next interval), then closes the meters. */
    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        metrics.close();
    }
}
