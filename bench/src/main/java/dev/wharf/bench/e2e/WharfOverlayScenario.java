package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The system under test on the overlay: on each of the {@link OverlayHosts} a {@code wharf daemon}
 * of its own, started inside the host's namespace, configured through the CLI as a user would
 * (host A shown; B is the mirror):
 * <pre>
 * wharf underlay set --local 10.79.0.1
 * wharf network create wbo --driver overlay --vni 42 --subnet 10.77.0.0/24 --gateway 10.77.0.254 [--encap geneve]
 * wharf vtep add wbo 10.79.0.2
 * wharf port attach wbo wbe-h1 --ip 10.77.0.1
 * </pre>
 * Two labelled configurations: {@code vxlan-wharf} and {@code geneve-wharf}. Both daemons' JVMs
 * are the switch processes (the packet-rate test's CPU covers encapsulation on A and
 * decapsulation on B). A Wharf without the {@code underlay} command is reported as unavailable.
 */
final class WharfOverlayScenario implements Scenario
{
    static final String NETWORK = "wbo";
    static final String SUBNET = WharfScenario.SUBNET;
    static final String GATEWAY = WharfScenario.GATEWAY;

    private final Path launcher;
    private final String encap;
    private final List<WharfDaemon> daemons = new ArrayList<>();
    private boolean hasStateDir;

    private WharfOverlayScenario(final Path launcher, final String encap)
    {
        this.launcher = launcher;
        this.encap = encap;
    }

    static WharfOverlayScenario vxlan(final Path launcher)
    {
        return new WharfOverlayScenario(launcher, "vxlan");
    }

    static WharfOverlayScenario geneve(final Path launcher)
    {
        return new WharfOverlayScenario(launcher, "geneve");
    }

    @Override
    public String id()
    {
        return encap + "-wharf";
    }

    @Override
    public String description()
    {
        return "a Wharf daemon (" + launcher + ") on each host, overlay network " + NETWORK + " (" +
            ("vxlan".equals(encap) ? "VXLAN" : "Geneve") + ", VNI " + OverlayHosts.VNI + "), the other host as its VTEP, " +
            "the host end as an AF_PACKET port; " + OverlayHosts.topology() + "; offloads at their defaults";
    }

    @Override
    public boolean isSubject()
    {
        return true;
    }

    @Override
    public Kind kind()
    {
        return Kind.OVERLAY;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        // two JVMs starting, and one more JVM per CLI call (four per host)
        return 20;
    }

    @Override
    public String unavailableReason()
    {
        try
        {
            hasStateDir = WharfDaemon.probe(launcher).contains("--state-dir");
        }
        catch (final HarnessException e)
        {
            return e.getMessage();
        }
        return WharfDaemon.missingCommand(launcher, "underlay", "set");
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        daemons.clear();
        OverlayHosts.create(containers, cleanup);
        for (final OverlayHosts.Host host : OverlayHosts.HOSTS)
        {
            // the daemon is registered after its namespace, so it is stopped (SIGTERM) before the namespace goes
            daemons.add(WharfDaemon.start(launcher, hasStateDir, workDir, cleanup, host.namespace()));
        }
        for (int i = 0; i < OverlayHosts.HOSTS.size(); i++)
        {
            for (final List<String> command : commands(OverlayHosts.HOSTS.get(i), encap))
            {
                daemons.get(i).cli(command.toArray(new String[0]));
            }
        }
        for (final WharfDaemon daemon : daemons)
        {
            daemon.requireAlive();
        }
    }

    /** The CLI calls that put {@code host} on the overlay, in order (without the launcher and its --socket). */
    static List<List<String>> commands(final OverlayHosts.Host host, final String encap)
    {
        final List<String> create = new ArrayList<>(List.of("network", "create", NETWORK, "--driver", "overlay",
            "--vni", Integer.toString(OverlayHosts.VNI), "--subnet", SUBNET, "--gateway", GATEWAY));
        if (!"vxlan".equals(encap))
        {
            create.addAll(List.of("--encap", encap));
        }
        return List.of(
            List.of("underlay", "set", "--local", host.underlayIp()),
            List.copyOf(create),
            List.of("vtep", "add", NETWORK, host.peerIp()),
            List.of("port", "attach", NETWORK, host.hostEnd(), "--ip", host.containerIp()));
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        final List<ProcessHandle> processes = new ArrayList<>();
        for (final WharfDaemon daemon : daemons)
        {
            processes.addAll(daemon.jvm());
        }
        return processes;
    }
}
