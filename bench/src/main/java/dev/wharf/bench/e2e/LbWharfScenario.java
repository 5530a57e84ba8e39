package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The system under test for the load balancer: a Wharf daemon of the harness's own inside the router namespace
 * of {@link LbTopology} (it sees that namespace's links only), every host end an AF_PACKET port, configured
 * through the CLI as a user would:
 * <pre>
 * wharf network create lbc --subnet 10.76.0.0/24 --gateway 10.76.0.254
 * wharf network create lbs --subnet 10.77.0.0/24 --gateway 10.77.0.254
 * wharf network connect lbc lbs
 * wharf port attach lbc wbe-h1 ; wharf port attach lbs wbe-h2 (h3, h4)
 * wharf lb add 10.96.0.100:80/tcp --scheduler rr --name web
 * wharf lb backend add 10.96.0.100:80/tcp 10.77.0.2:8080   (10.77.0.3, 10.77.0.4)
 * wharf lb add 10.96.0.100:5201/tcp --name iperf ; wharf lb backend add 10.96.0.100:5201/tcp 10.77.0.2:5201
 * </pre>
 * The networks are connected so that c1 can ping c2 (the runner's first check) and backends see the client's own
 * address, as with the kernel anchor. The scheduler is rr, the nearest to kube-proxy's {@code numgen random}: Wharf's
 * mh, as IPVS's without its {@code mh-port} flag (which the CLI does not offer), hashes the client's address alone,
 * so the one client's connections would all reach one backend (LbBenchmark measures mh's per-flow cost).
 * A Wharf without the {@code lb} command is reported as unavailable.
 */
final class LbWharfScenario implements Scenario
{
    static final String CLIENT_NETWORK = "lbc";
    static final String BACKEND_NETWORK = "lbs";
    static final String SCHEDULER = "rr";

    private final Path launcher;
    private boolean hasStateDir;
    private WharfDaemon daemon;

    LbWharfScenario(final Path launcher)
    {
        this.launcher = launcher;
    }

    @Override
    public String id()
    {
        return "lb-wharf";
    }

    @Override
    public String description()
    {
        return "Wharf daemon (" + launcher + ") in " + LbTopology.ROUTER + ", networks " + CLIENT_NETWORK + " " + LbTopology.CLIENT_SUBNET +
            " and " + BACKEND_NETWORK + " " + LbTopology.BACKEND_SUBNET + " connected, virtual service " + LbTopology.VIP + ":" + LbTopology.WEB_PORT +
            "/tcp --scheduler " + SCHEDULER + " with three backends (mh would hash the one client to one backend), :" + LbTopology.IPERF_PORT + " with c2 alone; " +
            LbTopology.summary() + "; AF_PACKET ports, veth offloads at their defaults";
    }

    @Override
    public boolean isSubject()
    {
        return true;
    }

    @Override
    public Kind kind()
    {
        return Kind.LOAD_BALANCED;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        // a JVM starting, and one more JVM per CLI call (thirteen, seconds each on a busy machine)
        return 60;
    }

    @Override
    public String unavailableReason()
    {
        final String tools = LbTopology.missingTools();
        if (tools != null)
        {
            return tools;
        }
        try
        {
            hasStateDir = WharfDaemon.probe(launcher).contains("--state-dir");
        }
        catch (final HarnessException e)
        {
            return e.getMessage();
        }
        return WharfDaemon.missingCommand(launcher, "lb", "add");
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        LbTopology.create(containers, workDir, cleanup);
        // registered after the router namespace: stopped (SIGTERM) before the namespace goes
        daemon = WharfDaemon.start(launcher, hasStateDir, workDir, cleanup, LbTopology.ROUTER);
        for (final List<String> command : commands())
        {
            daemon.cli(command.toArray(new String[0]));
        }
        daemon.requireAlive();
        LbTopology.awaitEveryBackend(30);
    }

    /** The CLI calls that build both networks and both services, in order (without the launcher and its --socket). */
    static List<List<String>> commands()
    {
        final String web = LbTopology.VIP + ":" + LbTopology.WEB_PORT + "/tcp";
        final String iperf = LbTopology.VIP + ":" + LbTopology.IPERF_PORT + "/tcp";
        final List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("network", "create", CLIENT_NETWORK, "--subnet", LbTopology.CLIENT_SUBNET, "--gateway", LbTopology.CLIENT_GATEWAY));
        commands.add(List.of("network", "create", BACKEND_NETWORK, "--subnet", LbTopology.BACKEND_SUBNET, "--gateway", LbTopology.BACKEND_GATEWAY));
        commands.add(List.of("network", "connect", CLIENT_NETWORK, BACKEND_NETWORK));
        commands.add(List.of("port", "attach", CLIENT_NETWORK, ContainerPair.HOST_END_1));
        for (final LbTopology.Backend backend : LbTopology.BACKENDS)
        {
            commands.add(List.of("port", "attach", BACKEND_NETWORK, backend.hostEnd()));
        }
        commands.add(List.of("lb", "add", web, "--scheduler", SCHEDULER, "--name", "web"));
        for (final LbTopology.Backend backend : LbTopology.BACKENDS)
        {
            commands.add(List.of("lb", "backend", "add", web, backend.ip() + ":" + LbTopology.BACKEND_PORT));
        }
        commands.add(List.of("lb", "add", iperf, "--name", "iperf"));
        commands.add(List.of("lb", "backend", "add", iperf, LbTopology.BACKENDS.get(0).ip() + ":" + LbTopology.IPERF_PORT));
        return commands;
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return daemon == null ? List.of() : daemon.jvm();
    }
}
