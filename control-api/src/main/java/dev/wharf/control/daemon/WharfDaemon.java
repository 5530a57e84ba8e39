package dev.wharf.control.daemon;

import dev.wharf.control.metrics.MetricsServer;
import dev.wharf.control.metrics.SwitchMetrics;
import dev.wharf.control.server.ApiServer;
import dev.wharf.control.server.ControlPlane;
import dev.wharf.control.server.NatControl;
import dev.wharf.control.server.PortOpener;
import dev.wharf.control.server.TcpListener;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.StateFileException;
import dev.wharf.nat.NatService;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.lb.LoadBalancer;
import dev.wharf.cluster.ClusterStore;
import dev.wharf.control.server.ClusterController;
import dev.wharf.control.state.OverlaySection;
import dev.wharf.dns.Dns;
import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.Overlay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's assembly: a started {@link Dataplane} with the nodes of the features it loads, the
 * {@link ControlPlane} whose features apply the desired state to it, the {@link ApiServer} on the
 * Unix socket serving every feature's services, and the optional {@link MetricsServer} for Prometheus. Started by
 * {@code wharf daemon} on the main thread; {@link #close()} may come from a shutdown hook
 * (SIGTERM, SIGINT) and runs once.
 */
public final class WharfDaemon implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(WharfDaemon.class);
    private static final long RECONCILE_PERIOD_MS = 1_000;

    private final Path socket;
    private final Dataplane dataplane;
    private final ControlPlane plane;
    private final ApiServer server;
    private final MetricsServer metricsServer;
    private ApiServer tcpServer;
    private boolean closed;
    private final ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread thread = new Thread(r, "wharf-reconcile");
        thread.setDaemon(true);
        return thread;
    });

    private WharfDaemon(
        final Path socket, final Dataplane dataplane, final ControlPlane plane, final ApiServer server,
        final MetricsServer metricsServer)
    {
        this.socket = socket;
        this.dataplane = dataplane;
        this.plane = plane;
        this.server = server;
        this.metricsServer = metricsServer;
    }

    /** Starts the dataplane and serves the API on {@code socket}: no metrics, state in memory only (tests, the demo). */
    public static WharfDaemon start(final Path socket, final DataplaneConfiguration configuration, final PortOpener opener)
        throws DaemonException
    {
        return start(socket, configuration, opener, null, null, null);
    }

    /** As {@link #start(Path, DataplaneConfiguration, PortOpener, Path, InetSocketAddress, NatService)} without NAT. */
    public static WharfDaemon start(
        final Path socket, final DataplaneConfiguration configuration, final PortOpener opener, final Path stateDirectory,
        final InetSocketAddress metricsAddress)
        throws DaemonException
    {
        return start(socket, configuration, opener, stateDirectory, metricsAddress, null);
    }

    /**
     * Starts the dataplane, replays the state saved in {@code store} (if any), serves the API on {@code socket}
     * and metrics at {@code metricsAddress}.
     *
     * @param stateDirectory where the state file is kept, or null to keep state in memory only.
     * @param metricsAddress where Prometheus scrapes {@value MetricsServer#PATH}, or null for no metrics.
     * @param nat            connection tracking and NAT, whose nodes are added to {@code configuration}'s graph; null for none.
     * @throws DaemonException when another daemon answers on the socket, the socket or metrics address cannot be
     *                         bound, or the state file cannot be read (it is then left as it is).
     */
    public static WharfDaemon start(
        final Path socket, final DataplaneConfiguration configuration, final PortOpener opener, final Path stateDirectory,
        final InetSocketAddress metricsAddress, final NatService nat)
        throws DaemonException
    {
        return start(socket, configuration, opener, stateDirectory, metricsAddress, nat, null);
    }

    /**
     * As {@link #start(Path, DataplaneConfiguration, PortOpener, Path, InetSocketAddress, NatService)}, with host access
     * through {@code hostKernel} (null for none).
     */
    public static WharfDaemon start(
        final Path socket, final DataplaneConfiguration configuration, final PortOpener opener, final Path stateDirectory,
        final InetSocketAddress metricsAddress, final NatService nat, final dev.wharf.control.server.HostKernel hostKernel)
        throws DaemonException
    {
        return start(socket, configuration, opener, stateDirectory, metricsAddress, nat, hostKernel, null);
    }

    /**
     * As {@link #start(Path, DataplaneConfiguration, PortOpener, Path, InetSocketAddress, NatService, dev.wharf.control.server.HostKernel)},
     * with the DNS server on every network's gateway set up by {@code dns} (null: no DNS, {@code --dns off}).
     */
    public static WharfDaemon start(
        final Path socket, final DataplaneConfiguration configuration, final PortOpener opener, final Path stateDirectory,
        final InetSocketAddress metricsAddress, final NatService nat, final dev.wharf.control.server.HostKernel hostKernel,
        final Dns.Settings dnsSettings)
        throws DaemonException
    {
        return start(socket, configuration, opener, stateDirectory, metricsAddress, nat, hostKernel, dnsSettings, null, null);
    }

    /**
     * As {@link #start(Path, DataplaneConfiguration, PortOpener, Path, InetSocketAddress, NatService, dev.wharf.control.server.HostKernel,
     * Dns.Settings)}, in the cluster whose store is {@code clusterStore} (null: a single host) as the host {@code clusterSettings}
     * describe: its underlay is set to the settings' address before it joins. The daemon closes the store.
     */
    public static WharfDaemon start(
        final Path socket, final DataplaneConfiguration configuration, final PortOpener opener, final Path stateDirectory,
        final InetSocketAddress metricsAddress, final NatService nat, final dev.wharf.control.server.HostKernel hostKernel,
        final Dns.Settings dnsSettings, final ClusterStore clusterStore, final ClusterController.Settings clusterSettings)
        throws DaemonException
    {
        SocketFile.prepare(socket);
        // the one place the features' nodes join the graph (the core plus the overlay's and NAT's); their controllers are assembled by ControlPlane
        final Overlay overlay = new Overlay();
        final LoadBalancer balancer = nat == null ? null : new LoadBalancer(nat);
        final Dns dns = dnsSettings == null ? null : new Dns(dnsSettings);
        final List<GraphFeature> features = new ArrayList<>(List.of(overlay.feature()));
        if (nat != null)
        {
            features.addAll(List.of(nat.feature(), balancer.feature()));
        }
        if (dns != null)
        {
            features.add(dns.feature());
        }
        final Dataplane dataplane = new Dataplane(configuration.withPipelines(Pipeline.withFeatures(features)));
        overlay.bind(dataplane);
        if (dns != null)
        {
            try
            {
                dns.bind(dataplane);
            }
            catch (final RuntimeException e)
            {
                dataplane.close();
                throw new DaemonException("cannot start DNS: " + e.getMessage(), false);
            }
        }
        final String ioUring = Overlay.transportNote();
        if (ioUring != null)
        {
            LOG.info("io_uring is not available here ({}): the overlay's underlay sockets use epoll", ioUring);
        }
        final ControlPlane plane = ControlPlane.create(dataplane, opener, stateDirectory,
            nat == null ? NatControl.detached() : NatControl.of(nat), overlay, balancer, hostKernel, dns, clusterStore, clusterSettings);
        final DesiredState saved;
        try
        {
            saved = plane.load();
        }
        catch (final StateFileException e)
        {
            dataplane.close();
            throw new DaemonException("cannot start: " + e.getMessage() + " (fix or move the file; it was left untouched)", false);
        }
        dataplane.start();
        try
        {
            plane.restore(saved);
        }
        catch (final RuntimeException e)
        {
            dataplane.close();
            throw new DaemonException("cannot restore the saved state: " + e.getMessage(), false);
        }
        if (plane.cluster() != null)
        {
            try
            {
                joinCluster(plane, clusterSettings);
            }
            catch (final RuntimeException e)
            {
                dataplane.close();
                clusterStore.close();
                throw new DaemonException("cannot join the cluster: " + e.getMessage(), false);
            }
        }
        final NetworkSection restored = NetworkSection.of(saved);
        if (!restored.networks().isEmpty())
        {
            LOG.info("restored {} networks and {} ports from {}", restored.networks().size(), restored.ports().size(), plane.stateFile());
        }
        final MetricsServer metricsServer = metricsAddress == null ? null : startMetrics(metricsAddress, dataplane, plane);
        final ApiServer server;
        try
        {
            server = ApiServer.start(socket, plane.services());
        }
        catch (final IOException | RuntimeException e)
        {
            closeMetrics(metricsServer);
            dataplane.close();
            throw new DaemonException("cannot serve on " + socket + ": " + e.getMessage(), false);
        }
        final WharfDaemon daemon = new WharfDaemon(socket, dataplane, plane, server, metricsServer);
        daemon.reconciler.scheduleWithFixedDelay(daemon::reconcile, RECONCILE_PERIOD_MS, RECONCILE_PERIOD_MS, TimeUnit.MILLISECONDS);
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

    /** Sets the underlay to the cluster's address for this host (kept when it is that already), then starts following the store. */
    private static void joinCluster(final ControlPlane plane, final ClusterController.Settings settings)
    {
        final OverlaySection.Underlay current = OverlaySection.of(plane.state()).underlay();
        if (current == null || current.local() != settings.underlay())
        {
            plane.overlay().setUnderlay(new OverlaySection.Underlay(settings.underlay(),
                current == null ? Encapsulation.VXLAN.defaultPort() : current.port(),
                current == null ? Encapsulation.GENEVE.defaultPort() : current.genevePort(), current == null ? null : current.device()));
        }
        plane.cluster().start();
    }

    /**
     * Serves the API on a TCP listener too, beside the socket ({@code wharf daemon --listen}).
     * Called once, on the main thread, right after {@link #start}.
     *
     * @throws DaemonException when the address cannot be bound or the TLS certificate or key is unusable.
     */
    public synchronized InetSocketAddress listen(final TcpListener listener) throws DaemonException
    {
        if (tcpServer != null)
        {
            throw new IllegalStateException("already listening on " + tcpServer.tcpAddress());
        }
        try
        {
            tcpServer = server.alsoOnTcp(listener);
        }
        catch (final IOException | RuntimeException e)
        {
            throw new DaemonException("cannot listen on " + listener + ": " + oneLine(e), false);
        }
        final InetSocketAddress bound = tcpServer.tcpAddress();
        LOG.info("wharf daemon listening on tcp {}:{} ({})", bound.getHostString(), bound.getPort(), listener.security());
        return tcpServer.tcpAddress();
    }

    /** The TCP listener's bound address, or null when there is none. */
    public synchronized InetSocketAddress tcpAddress()
    {
        return tcpServer == null ? null : tcpServer.tcpAddress();
    }

    /** The innermost message of a failure to bind or to load a certificate, which is the one that says why. */
    private static String oneLine(final Throwable failure)
    {
        String message = String.valueOf(failure);
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            if (cause.getMessage() != null && !cause.getMessage().isBlank())
            {
                message = cause.getMessage();
            }
        }
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private void reconcile()
    {
        try
        {
            plane.reconcile();
        }
        catch (final RuntimeException e)
        {
            LOG.error("reconciliation failed", e);
        }
    }

    private static MetricsServer startMetrics(
        final InetSocketAddress address, final Dataplane dataplane, final ControlPlane plane) throws DaemonException
    {
        final SwitchMetrics metrics = new SwitchMetrics(dataplane, plane);
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

    public ControlPlane controlPlane()
    {
        return plane;
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
        reconciler.shutdownNow();
        if (plane.cluster() != null)
        {
            plane.cluster().close();
        }
        closeMetrics(metricsServer);
        if (tcpServer != null)
        {
            tcpServer.close();
        }
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
