package dev.wharf.control.cli;

import java.util.List;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.control.daemon.DaemonException;
import dev.wharf.control.daemon.DnsUpstreams;
import dev.wharf.control.daemon.WharfDaemon;
import dev.wharf.dns.Dns;
import dev.wharf.control.daemon.WorkerErrorLog;
import dev.wharf.control.metrics.MetricsAddress;
import dev.wharf.control.server.PortOpener;
import dev.wharf.control.server.TcpListener;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.io.Ports;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import dev.wharf.cluster.ClusterAddress;
import dev.wharf.cluster.ClusterStore;
import dev.wharf.cluster.ClusterStoreException;
import dev.wharf.cluster.ClusterTls;
import dev.wharf.cluster.EtcdClusterStore;
import dev.wharf.control.server.ClusterController;
import dev.wharf.control.server.ClusterKeys;
import java.time.Duration;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code wharf daemon}: runs the switch in the foreground until SIGTERM or SIGINT. The main thread
 * starts the {@link WharfDaemon} and waits; a signal closes it (API first, then the dataplane) and
 * the command exits 0. A JVM shutdown hook closes it too, for any other way out.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {"Run the switch: the dataplane workers and the API on a Unix socket.",
        "The socket gets mode 0660. Runs in the foreground until SIGTERM or SIGINT; logs one line per change to stderr.",
        "The desired state is kept in --state-dir and replayed on restart.",
        "Prometheus metrics are served over HTTP at http://127.0.0.1:9464/metrics unless --metrics says otherwise."},
    footer = {"", "Example:", "  wharf daemon &", "  wharf daemon --workers 2 --socket /tmp/wharf.sock --state-dir /tmp/wharf-state",
        "  wharf daemon --metrics 127.0.0.1:9100", "  wharf daemon --conntrack-max 65536", "  curl -s http://127.0.0.1:9464/metrics | grep wharf_port_rx_packets_total",
        "  wharf daemon --listen 0.0.0.0:9443 --tls-cert server.pem --tls-key server.key --tls-client-ca clients-ca.pem"})
final class DaemonCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
        description = "The API socket (default: $WHARF_SOCKET, else /run/wharf/wharf.sock).")
    Path socket;

    @Option(names = "--state-dir", paramLabel = "DIR",
        description = "Where the desired state is kept and replayed from on restart (default: ${DEFAULT-VALUE}).")
    Path stateDir = Path.of("/var/lib/wharf");

    @Option(names = "--host-access", paramLabel = "BOOL", arity = "1", defaultValue = "true",
        description = {"Let the host reach every network's containers (default: ${DEFAULT-VALUE}), as a Docker host reaches",
            "its containers through docker0: a TAP device wharf0 with 169.254.42.2/30, and a route to each network through it."})
    boolean hostAccess;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads, 1..64 (default: ${DEFAULT-VALUE}).")
    int workers = DataplaneConfiguration.WORKERS_DEFAULT;

    @Option(names = "--fdb-aging", paramLabel = "SECONDS", description = "Learned MACs not seen for this long are forgotten (default: ${DEFAULT-VALUE}).")
    long fdbAgingSeconds = DataplaneConfiguration.FDB_AGING_MS_DEFAULT / 1000;

    @Option(names = "--conntrack-max", paramLabel = "N",
        description = {"Most connections tracked at once (default: ${DEFAULT-VALUE}); beyond it a new connection",
            "early-drops one that never saw a reply, or is dropped and counted (wharf conntrack stats)."})
    int conntrackMax = NatConfiguration.MAX_FLOWS_DEFAULT;

    @Option(names = "--metrics", paramLabel = "ADDR",
        description = {"Serve Prometheus metrics at http://ADDR/metrics: HOST:PORT ([::1]:PORT for IPv6), or off (default: ${DEFAULT-VALUE}).",
            "Loopback by default; any other address is served as given, to whoever can reach it."})
    String metrics = MetricsAddress.DEFAULT;
    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = {"Serve the API on TCP too. Without TLS only on a loopback address (e.g. 127.0.0.1:9443);",
            "with --tls-cert and --tls-key on any (0.0.0.0:9443)."})
    String listen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "The listener's certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The listener's private key (PEM, PKCS#8).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
        description = "Require clients to present a certificate signed by this CA (PEM): mutual TLS.")
    Path tlsClientCa;

    @Option(names = "--dns", paramLabel = "on|off", defaultValue = "on",
        description = {"A DNS server on every network's gateway address, port 53 UDP and TCP (default: ${DEFAULT-VALUE}): it resolves the",
            "network's container names and aliases (port attach --name/--alias) and service names (lb add --name)."})
    String dnsSwitch;

    @Option(names = "--dns-upstream", paramLabel = "LIST", defaultValue = DnsUpstreams.HOST_RESOLVERS,
        description = {"Where the DNS server forwards other names: IPv4[:PORT],... ; host (default): the nameservers of",
            "/etc/resolv.conf; none: forward nothing (such names are refused). Internal networks never forward."})
    String dnsUpstream;

    @Option(names = "--dns-rate-limit", paramLabel = "QPS", defaultValue = "" + Dns.RATE_PER_SOURCE_DEFAULT,
        description = "Queries a second one container may ask the DNS server (bursts of twice that); 0: no limit (default: ${DEFAULT-VALUE}).")
    int dnsRateLimit;

    @Option(names = "--cluster", paramLabel = "etcd://HOST[:PORT][,HOST[:PORT]]",
        description = {"Join the cluster whose store is this etcd: overlay networks, their endpoints and addresses are shared with every",
            "host of it (default: none, a single host on its state file). Needs --underlay."})
    String cluster;

    @Option(names = "--underlay", paramLabel = "ADDRESS",
        description = "This host's underlay address in the cluster: the other hosts send its tunnels' traffic there (sets the underlay).")
    String underlay;

    @Option(names = "--cluster-host", paramLabel = "ID", description = "This host's id in the cluster (default: its --underlay address).")
    String clusterHost;

    @Option(names = "--cluster-prefix", paramLabel = "PREFIX", defaultValue = ClusterKeys.DEFAULT_PREFIX,
        description = "The keys under which Wharf keeps the cluster in etcd (default: ${DEFAULT-VALUE}).")
    String clusterPrefix;

    @Option(names = "--cluster-lease-ttl", paramLabel = "SECONDS", defaultValue = "10",
        description = "A host that stops renewing its lease for this long is forgotten by the others (default: ${DEFAULT-VALUE}).")
    int clusterLeaseTtl;

    @Option(names = "--cluster-tls-ca", paramLabel = "FILE", description = "TLS to etcd: the CA that signed its certificate (PEM).")
    Path clusterTlsCa;

    @Option(names = "--cluster-tls-cert", paramLabel = "FILE", description = "TLS to etcd: this host's client certificate (PEM).")
    Path clusterTlsCert;

    @Option(names = "--cluster-tls-key", paramLabel = "FILE", description = "TLS to etcd: this host's client key (PEM, PKCS#8).")
    Path clusterTlsKey;

    /** How long a command that needs the cluster store waits for it before it is refused. */
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(3);

    @Override
    public Integer call() throws InterruptedException
    {
        final TcpListener listener = tcpListener();
        final DataplaneConfiguration configuration;
        final InetSocketAddress metricsAddress;
        final NatService nat;
        final Dns.Settings dnsSettings;
        final ClusterController.Settings clusterSettings;
        final ClusterAddress clusterAddress;
        final ClusterTls clusterTls;
        try
        {
            clusterSettings = clusterSettings();
            clusterAddress = cluster == null ? null : ClusterAddress.parse(cluster);
            clusterTls = clusterTls();
            metricsAddress = MetricsAddress.parse(metrics);
            dnsSettings = dnsSettings();
            nat = new NatService(NatConfiguration.defaults().withMaxFlows(conntrackMax));
            configuration = DataplaneConfiguration.defaults()
                .withWorkers(workers)
                .withFdbAgingMs(Math.multiplyExact(fdbAgingSeconds, 1000L))
                .withIdleStrategies(Ports::pollIdleStrategy)
                .withErrorHandler(WorkerErrorLog.INSTANCE);
        }
        catch (final IllegalArgumentException | ArithmeticException e)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        final Path path = socket != null ? socket : WharfMain.socket(spec.commandLine());
        final WharfDaemon daemon;
        try
        {
            final ClusterStore store = clusterAddress == null ? null : EtcdClusterStore.connect(clusterAddress, clusterTls, CLUSTER_TIMEOUT);
            daemon = WharfDaemon.start(path, configuration, PortOpener.system(), stateDir, metricsAddress, nat,
                hostAccess ? dev.wharf.control.server.HostKernel.system() : null, dnsSettings, store, clusterSettings);
        }
        catch (final UnsupportedOperationException e)
        {
            throw new CliFailure(ExitCodes.FAILURE, "cannot start: connection tracking is not built into this daemon (" + e.getMessage() + ")");
        }
        catch (final DaemonException e)
        {
            throw new CliFailure(e.alreadyRunning() ? ExitCodes.ALREADY_EXISTS : ExitCodes.FAILURE, e.getMessage());
        }
        catch (final ClusterStoreException e)
        {
            throw new CliFailure(ExitCodes.FAILURE, "cannot join the cluster: " + e.getMessage());
        }
        if (listener != null)
        {
            try
            {
                daemon.listen(listener);
            }
            catch (final DaemonException e)
            {
                daemon.close();
                throw new CliFailure(ExitCodes.FAILURE, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "wharf-shutdown"));
        // handling TERM and INT ourselves (instead of the JVM's exit 143/130) makes a requested stop exit 0
        final SignalHandler stop = signal -> new Thread(daemon::close, "wharf-stop").start();
        Signal.handle(new Signal("TERM"), stop);
        Signal.handle(new Signal("INT"), stop);
        daemon.awaitTermination();
        daemon.close();
        return ExitCodes.OK;
    }

    /** Who this host is in the cluster, from the options; null without --cluster. */
    private ClusterController.Settings clusterSettings()
    {
        if (cluster == null)
        {
            if (underlay != null || clusterHost != null || clusterTlsCa != null || clusterTlsCert != null || clusterTlsKey != null)
            {
                throw new IllegalArgumentException("--underlay, --cluster-host and --cluster-tls-* are options of a cluster: they need --cluster");
            }
            return null;
        }
        if (underlay == null)
        {
            throw new IllegalArgumentException("--cluster needs --underlay ADDRESS: the address the other hosts reach this one's tunnels at");
        }
        final int address;
        try
        {
            address = dev.wharf.control.server.Inputs.ipv4(underlay, "--underlay");
            dev.wharf.control.server.Inputs.checkUnicastHost(address, "--underlay");
        }
        catch (final dev.wharf.control.server.ControlException e)
        {
            throw new IllegalArgumentException(e.getMessage());
        }
        final String host = clusterHost != null ? clusterHost : underlay;
        if (!host.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"))
        {
            throw new IllegalArgumentException("--cluster-host is 1 to 64 letters, digits, _ . - (starting with a letter or digit), not \"" + host + "\"");
        }
        if (clusterLeaseTtl < 2 || clusterLeaseTtl > 3600)
        {
            throw new IllegalArgumentException("--cluster-lease-ttl is 2 to 3600 seconds, not " + clusterLeaseTtl);
        }
        final String version = WharfMain.class.getPackage().getImplementationVersion();
        return new ClusterController.Settings(host, address, new ClusterKeys(clusterPrefix), Duration.ofSeconds(clusterLeaseTtl),
            version == null ? "development build" : version);
    }

    /** TLS to the cluster store, from the options; null without --cluster-tls-ca. */
    private ClusterTls clusterTls()
    {
        if (clusterTlsCa == null && clusterTlsCert == null && clusterTlsKey == null)
        {
            return null;
        }
        for (final Path file : java.util.Arrays.asList(clusterTlsCa, clusterTlsCert, clusterTlsKey))
        {
            if (file != null && !java.nio.file.Files.isReadable(file))
            {
                throw new IllegalArgumentException("cannot read " + file + " (a --cluster-tls-* file)");
            }
        }
        return new ClusterTls(clusterTlsCa, clusterTlsCert, clusterTlsKey);
    }

    /** The TCP listener the options ask for, checked before anything starts; null without --listen. */
    /** The DNS server's settings from the options, or null with --dns off. */
    private Dns.Settings dnsSettings()
    {
        if (dnsSwitch.equals("off"))
        {
            return null;
        }
        if (!dnsSwitch.equals("on"))
        {
            throw new IllegalArgumentException("--dns is on or off, not \"" + dnsSwitch + "\"");
        }
        if (dnsRateLimit < 0)
        {
            throw new IllegalArgumentException("--dns-rate-limit must be 0 (no limit) or more queries a second: " + dnsRateLimit);
        }
        return new Dns.Settings(DnsUpstreams.parse(dnsUpstream, DnsUpstreams.RESOLV_CONF), dnsRateLimit);
    }

    private TcpListener tcpListener()
    {
        if (listen == null)
        {
            if (tlsCert != null || tlsKey != null || tlsClientCa != null)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert, --tls-key and --tls-client-ca need --listen");
            }
            return null;
        }
        try
        {
            return TcpListener.of(listen, tlsCert, tlsKey, tlsClientCa);
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
