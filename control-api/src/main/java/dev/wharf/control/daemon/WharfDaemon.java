package dev.wharf.control.daemon;

import dev.wharf.control.metrics.MetricsServer;
import dev.wharf.control.metrics.SwitchMetrics;
import dev.wharf.control.server.ApiServer;
import dev.wharf.control.server.PortOpener;
import dev.wharf.control.server.SwitchController;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon's assembly: a started {@link Dataplane}, the {@link SwitchController} that applies
 * the desired state to it, the {@link ApiServer} on the Unix socket, and the optional
 * {@link MetricsServer} for Prometheus. Started by
 * {@code wharf daemon} on the main thread; {@link #close()} may come from a shutdown hook
 * (SIGTERM, SIGINT) and runs once.
 */
public final class WharfDaemon implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WharfDaemon.class);

    private final Path socket;
    private final Dataplane dataplane;
    private final SwitchController controller;
    private final ApiServer server;
    private final MetricsServer metricsServer;
    private boolean closed;

    private WharfDaemon(
        final Path socket, final Dataplane dataplane, final SwitchController controller, final ApiServer server,
        final MetricsServer metricsServer)
    {
        this.socket = socket;
        this.dataplane = dataplane;
        this.controller = controller;
        this.server = server;
        this.metricsServer = metricsServer;
    }

    /** Starts the dataplane and serves the API on {@code socket}, without metrics. */
    public static WharfDaemon start(final Path socket, final DataplaneConfiguration configuration, final PortOpener opener)
        throws DaemonException
    {
        return start(socket, configuration, opener, null);
    }

    /**
     * Starts the dataplane and serves the API on {@code socket}, and metrics at {@code metricsAddress}.
     *
     * @param metricsAddress where Prometheus scrapes {@value MetricsServer#PATH}, or null for no metrics.
     * @throws DaemonException when another daemon answers on the socket, or the socket or metrics address cannot be bound.
     */
    public static WharfDaemon start(
        final Path socket, final DataplaneConfiguration configuration, final PortOpener opener, final InetSocketAddress metricsAddress)
        throws DaemonException
    {
        SocketFile.prepare(socket);
        final Dataplane dataplane = new Dataplane(configuration);
        dataplane.start();
        final SwitchController controller = new SwitchController(dataplane, opener);
        final MetricsServer metricsServer = metricsAddress == null ? null : startMetrics(metricsAddress, dataplane, controller);
        final ApiServer server;
        try
        {
            server = ApiServer.start(socket, controller);
        }
        catch (final IOException | RuntimeException e)
        {
            closeMetrics(metricsServer);
            dataplane.close();
            throw new DaemonException("cannot serve on " + socket + ": " + e.getMessage(), false);
        }
        final WharfDaemon daemon = new WharfDaemon(socket, dataplane, controller, server, metricsServer);
        try
        {
            SocketFile.restrict(socket);
        }
        catch (final DaemonException e)
        {
            daemon.close();
            throw e;
        }
        LOG.info("wharf daemon listening on {} ({} workers, FDB aging {} s)",
            socket, configuration.workers(), configuration.fdbAgingMs() / 1000);
        return daemon;
    }

    private static MetricsServer startMetrics(
        final InetSocketAddress address, final Dataplane dataplane, final SwitchController controller) throws DaemonException
    {
        final SwitchMetrics metrics = new SwitchMetrics(dataplane, controller);
        final MetricsServer metricsServer;
        try
        {
            metricsServer = MetricsServer.start(address, metrics);
        }
        catch (final IOException | RuntimeException e)
        {
            metrics.close();
            dataplane.close();
            throw new DaemonException("cannot serve metrics on " + hostPort(address) + ": " + e.getMessage() +
                " (move them with --metrics HOST:PORT, or --metrics off)", false);
        }
        final InetSocketAddress bound = metricsServer.address();
        if (bound.getAddress().isLoopbackAddress())
        {
            LOG.info("metrics at http://{}{}", hostPort(bound), MetricsServer.PATH);
        }
        else
        {
            LOG.warn("metrics at http://{}{}, not on loopback: whoever reaches that address can read them",
                hostPort(bound), MetricsServer.PATH);
        }
        return metricsServer;
    }

    private static String hostPort(final InetSocketAddress address)
    {
        final String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void closeMetrics(final MetricsServer metricsServer)
    {
        if (metricsServer != null)
        {
            metricsServer.close();
        }
    }

    /** Where metrics are served, or null when they are off. */
    public InetSocketAddress metricsAddress()
    {
        return metricsServer == null ? null : metricsServer.address();
    }

    public SwitchController controller()
    {
        return controller;
    }

    public Path socket()
    {
        return socket;
    }

    /** Blocks the calling thread until the API server has stopped. */
    public void awaitTermination() throws InterruptedException
    {
        server.awaitTermination();
    }

    /** Stops the API, then the dataplane (which closes every port, so TAP devices vanish), then removes the socket. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        LOG.info("wharf daemon stopping");
        closeMetrics(metricsServer);
        server.close();
        dataplane.close();
        try
        {
            Files.deleteIfExists(socket);
        }
        catch (final IOException e)
        {
            LOG.warn("cannot remove {}: {}", socket, e.toString());
        }
        LOG.info("wharf daemon stopped");
    }
}
