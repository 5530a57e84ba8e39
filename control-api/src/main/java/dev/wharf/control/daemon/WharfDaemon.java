package dev.wharf.control.daemon;

import dev.wharf.control.server.ApiServer;
import dev.wharf.control.server.PortOpener;
import dev.wharf.control.server.SwitchController;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon's assembly: a started {@link Dataplane}, the {@link SwitchController} that applies
 * the desired state to it, and the {@link ApiServer} on the Unix socket. Started by
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
    private boolean closed;

    private WharfDaemon(final Path socket, final Dataplane dataplane, final SwitchController controller, final ApiServer server)
    {
        this.socket = socket;
        this.dataplane = dataplane;
        this.controller = controller;
        this.server = server;
    }

    /**
     * Starts the dataplane and serves the API on {@code socket}.
     *
     * @throws DaemonException when another daemon answers on the socket, or the socket cannot be bound.
     */
    public static WharfDaemon start(final Path socket, final DataplaneConfiguration configuration, final PortOpener opener)
        throws DaemonException
    {
        SocketFile.prepare(socket);
        final Dataplane dataplane = new Dataplane(configuration);
        dataplane.start();
        final SwitchController controller = new SwitchController(dataplane, opener);
        final ApiServer server;
        try
        {
            server = ApiServer.start(socket, controller);
        }
        catch (final IOException | RuntimeException e)
        {
            dataplane.close();
            throw new DaemonException("cannot serve on " + socket + ": " + e.getMessage(), false);
        }
        final WharfDaemon daemon = new WharfDaemon(socket, dataplane, controller, server);
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
