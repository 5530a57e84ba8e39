package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An Open vSwitch of the harness's own: an {@code ovsdb-server} on a database created for this
 * run and an {@code ovs-vswitchd}, both in the foreground as our children, with their database,
 * sockets, pid files and logs in a private directory ({@code OVS_RUNDIR}, {@code OVS_DBDIR},
 * {@code OVS_LOGDIR} point there too). A system OVS, if any, is never contacted: every
 * {@code ovs-vsctl} names our socket, and {@code --disable-system} keeps ovs-vswitchd away from
 * kernel datapaths. Both daemons are stopped by PID through {@link Cleanup}.
 * <p>
 * An overlay scenario runs one per host namespace ({@link #startIn}): both daemons then run inside
 * it (its links are the ones ovs-vswitchd sees and creates), while their sockets, files in the
 * work directory, stay reachable from the root namespace, where ovs-vsctl and ovs-appctl run.
 */
final class PrivateOvs
{
    static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
    static final List<String> TOOLS = List.of("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl");
    /** The netdev datapath's own internal port, named by OVS itself; the one link we create without our prefix. */
    static final String NETDEV_DATAPATH_PORT = "ovs-netdev";

    private static final int START_TIMEOUT_SECONDS = 20;

    private final Path dir;
    /** The network namespace both daemons run in; null for the root namespace. */
    private final String namespace;
    private final Map<String, String> environment;
    private BackgroundProcess vswitchd;

    private PrivateOvs(final Path dir, final String namespace)
    {
        this.dir = dir;
        this.namespace = namespace;
        this.environment = Map.of(
            "OVS_RUNDIR", dir.toString(),
            "OVS_DBDIR", dir.toString(),
            "OVS_LOGDIR", dir.toString(),
            "OVS_SYSCONFDIR", dir.toString());
    }

    /** Why a private OVS cannot start here, or null. */
    static String unavailableReason()
    {
        final List<String> missing = new ArrayList<>();
        for (final String tool : TOOLS)
        {
            if (Shell.which(tool) == null)
            {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty())
        {
            return "Open vSwitch is not installed (missing " + String.join(", ", missing) + "); " + ToolCheck.installHint("openvswitch-switch");
        }
        if (!Files.isReadable(Path.of(SCHEMA)))
        {
            return "the OVS database schema " + SCHEMA + " is missing; " + ToolCheck.installHint("openvswitch-switch");
        }
        if (Files.exists(Path.of("/sys/class/net", NETDEV_DATAPATH_PORT)))
        {
            return "another OVS userspace datapath is running on this host (link " + NETDEV_DATAPATH_PORT +
                " exists); the harness leaves it alone";
        }
        return null;
    }

    /**
     * Starts ovsdb-server and ovs-vswitchd in {@code parent}/ovs. {@code otherConfig} entries
     * (such as {@code userspace-tso-enable=true}) are written before ovs-vswitchd starts because
     * OVS reads some of them only at startup.
     */
    static PrivateOvs start(final Path parent, final Cleanup cleanup, final String... otherConfig)
    {
        return startInNamespace(null, parent, cleanup, otherConfig);
    }

    /** Starts ovsdb-server and ovs-vswitchd inside network namespace {@code namespace}, in {@code parent}/ovs-NAMESPACE. */
    static PrivateOvs startIn(final String namespace, final Path parent, final Cleanup cleanup)
    {
        return startInNamespace(namespace, parent, cleanup);
    }

    private static PrivateOvs startInNamespace(final String namespace, final Path parent, final Cleanup cleanup, final String... otherConfig)
    {
        final Path dir = parent.resolve(namespace == null ? "ovs" : "ovs-" + namespace);
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        final PrivateOvs ovs = new PrivateOvs(dir, namespace);
        ovs.startDatabase(cleanup);
        for (final String entry : otherConfig)
        {
            ovs.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:" + entry);
        }
        ovs.startSwitch(cleanup);
        return ovs;
    }

    private void startDatabase(final Cleanup cleanup)
    {
        final Path db = dir.resolve("conf.db");
        Shell.run(10, environment, List.of("ovsdb-tool", "create", db.toString(), SCHEMA)).require("ovsdb-tool create");
        final BackgroundProcess server = BackgroundProcess.start(named("ovsdb-server"), inNamespace(
            "ovsdb-server", db.toString(),
            "--remote=punix:" + socket(),
            "--pidfile=" + dir.resolve("ovsdb-server.pid"),
            "--unixctl=" + dir.resolve("ovsdb-server.ctl"),
            "--log-file=" + dir.resolve("ovsdb-server.log"),
            "--no-chdir", "-vconsole:off"), environment, dir.resolve("ovsdb-server.out"), cleanup);
        final long deadline = System.nanoTime() + START_TIMEOUT_SECONDS * 1_000_000_000L;
        while (true)
        {
            server.requireAlive();
            if (Files.exists(socket()) && vsctlResult("--no-wait", "init").ok())
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new HarnessException("ovsdb-server did not answer within " + START_TIMEOUT_SECONDS + " s: " + server.logTail(3));
            }
            sleep(100);
        }
    }

    private void startSwitch(final Cleanup cleanup)
    {
        if (namespace == null)
        {
            // registered before ovs-vswitchd starts so that it runs after ovs-vswitchd has stopped;
            // in a namespace of its own the links go with the namespace
            cleanup.add("OVS netdev links", () ->
            {
                Shell.run(10, "ip", "link", "del", OvsScenario.BRIDGE);
                Shell.run(10, "ip", "link", "del", NETDEV_DATAPATH_PORT);
            });
        }
        vswitchd = BackgroundProcess.start(named("ovs-vswitchd"), inNamespace(
            "ovs-vswitchd", "unix:" + socket(),
            "--pidfile=" + dir.resolve("ovs-vswitchd.pid"),
            "--unixctl=" + dir.resolve("ovs-vswitchd.ctl"),
            "--log-file=" + dir.resolve("ovs-vswitchd.log"),
            "--disable-system", "--disable-system-route",
            "--no-chdir", "-vconsole:off"), environment, dir.resolve("ovs-vswitchd.out"), cleanup);
        // ovs-vsctl without --no-wait returns once ovs-vswitchd has applied the change: proof it runs
        final long deadline = System.nanoTime() + START_TIMEOUT_SECONDS * 1_000_000_000L;
        while (true)
        {
            vswitchd.requireAlive();
            if (vsctlResult("--timeout=2", "set", "Open_vSwitch", ".", "external_ids:wbe=1").ok())
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new HarnessException("ovs-vswitchd did not start within " + START_TIMEOUT_SECONDS + " s: " + vswitchd.logTail(3));
            }
            sleep(100);
        }
    }

    private String named(final String daemon)
    {
        return namespace == null ? daemon : daemon + " in " + namespace;
    }

    /** The command, run through {@code ip netns exec} when this instance lives in a namespace ({@code exec}: same PID). */
    private List<String> inNamespace(final String... command)
    {
        final List<String> full = new ArrayList<>();
        if (namespace != null)
        {
            full.addAll(List.of("ip", "netns", "exec", namespace));
        }
        full.addAll(Arrays.asList(command));
        return full;
    }

    Path socket()
    {
        return dir.resolve("db.sock");
    }

    BackgroundProcess vswitchd()
    {
        return vswitchd;
    }

    /** Runs ovs-vsctl against this instance's database only; fails on error. */
    String vsctl(final String... args)
    {
        return vsctlResult(args).require("ovs-vsctl " + String.join(" ", args)).stdout();
    }

    private Shell.Result vsctlResult(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + socket(), "--timeout=20"));
        command.addAll(Arrays.asList(args));
        return Shell.run(30, environment, command);
    }

    /** Runs ovs-appctl against this instance's ovs-vswitchd; fails on error. */
    String appctl(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("ovs-appctl", "--target=" + dir.resolve("ovs-vswitchd.ctl"), "--timeout=20"));
        command.addAll(Arrays.asList(args));
        return Shell.run(30, environment, command).require("ovs-appctl " + String.join(" ", args)).stdout();
    }

    String vswitchdLogTail()
    {
        return vswitchd == null ? "" : vswitchd.logTail(3);
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }
}
