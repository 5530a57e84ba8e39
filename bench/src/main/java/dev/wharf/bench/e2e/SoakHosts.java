package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The soak's namespaces, all named {@code sk-*}: {@link #HOST} where the daemon runs and sees only the soak's links,
 * container {@link #A} behind a veth whose host end {@link #VETH} the daemon attaches through AF_PACKET, and container
 * {@link #B}, which gets the TAP {@link #TAP} the daemon creates each cycle, and runs an iperf3 server throughout.
 * Everything is registered with {@link Cleanup}; deleting a namespace takes its links with it.
 * Main thread only (the cleanup runs from the shutdown hook too).
 */
final class SoakHosts
{
    static final String HOST = "sk-host";
    static final String A = "sk-a";
    static final String B = "sk-b";
    static final List<String> NAMESPACES = List.of(HOST, A, B);
    static final String VETH = "sk-va";
    static final String VETH_PEER = "sk-a0";
    static final String TAP = "sk-tb";
    static final String SUBNET = "10.232.0.0/24";
    static final String GATEWAY = "10.232.0.1";
    static final String IP_A = "10.232.0.2";
    static final String IP_B = "10.232.0.3";
    /** The TAP's MAC, the same every cycle, so that A's neighbour entry for B stays right. */
    static final String MAC_B = "02:00:0a:e8:00:03";
    static final int IPERF_PORT = 5201;
    private static final int COMMAND_TIMEOUT_SECONDS = 10;
    private static final int PING_TRIES = 3;
    private static final int BURST_TIMEOUT_SECONDS = 20;

    private SoakHosts()
    {
    }

    /** The namespaces, the veth and the iperf3 server in B. */
    static void create(final Path workDir, final Cleanup cleanup)
    {
        for (final String ns : NAMESPACES)
        {
            ip("netns", "add", ns);
            cleanup.add("namespace " + ns, () -> deleteNamespace(ns));
            quietly(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            quietly(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            in(ns, "ip", "link", "set", "lo", "up");
        }
        ip("link", "add", VETH, "netns", HOST, "type", "veth", "peer", "name", VETH_PEER, "netns", A);
        in(HOST, "ip", "link", "set", VETH, "up");
        in(A, "ip", "addr", "add", IP_A + "/24", "dev", VETH_PEER);
        in(A, "ip", "link", "set", VETH_PEER, "up");
        BackgroundProcess.start("iperf3 server in " + B, List.of("ip", "netns", "exec", B, "iperf3", "-s", "-p", Integer.toString(IPERF_PORT)),
            Map.of(), workDir.resolve("iperf3-server.log"), cleanup);
    }

    /** Namespaces an earlier run killed with SIGKILL left behind (with what still runs in them). */
    static List<String> leftovers()
    {
        final String list = Shell.run(COMMAND_TIMEOUT_SECONDS, "ip", "netns", "list").stdout();
        return NAMESPACES.stream().filter(ns -> list.lines().anyMatch(line -> line.strip().split("\\s+")[0].equals(ns))).toList();
    }

    static void deleteNamespace(final String ns)
    {
        // what the soak started there (the daemon, iperf3) is stopped by its own cleanup first; this catches an earlier run's
        Shell.run(COMMAND_TIMEOUT_SECONDS, "/bin/sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9");
        Shell.run(COMMAND_TIMEOUT_SECONDS, "ip", "netns", "del", ns);
    }

    /** Moves the TAP the daemon just created into B and addresses it there. */
    static void adoptTap()
    {
        in(HOST, "ip", "link", "set", TAP, "netns", B);
        in(B, "ip", "link", "set", TAP, "address", MAC_B);
        in(B, "ip", "addr", "add", IP_B + "/24", "dev", TAP);
        in(B, "ip", "link", "set", TAP, "up");
    }

    /** Forgets both containers' neighbours: each cycle's network has a gateway of its own. */
    static void flushNeighbours()
    {
        in(A, "ip", "neigh", "flush", "dev", VETH_PEER);
        in(B, "ip", "neigh", "flush", "dev", TAP);
    }

    /** Whether A reaches B across the network (a reply within {@value #PING_TRIES} one-second tries). */
    static boolean ping()
    {
        for (int i = 0; i < PING_TRIES; i++)
        {
            if (Shell.inNamespace(COMMAND_TIMEOUT_SECONDS, A, "ping", "-n", "-q", "-c", "1", "-W", "1", IP_B).ok())
            {
                return true;
            }
        }
        return false;
    }

    /** A one-second TCP burst from A to the gateway's published {@code hostPort}, which leads to B's iperf3; null or why it failed. */
    static String burst(final int hostPort)
    {
        final Shell.Result result = Shell.inNamespace(BURST_TIMEOUT_SECONDS, A, "iperf3", "-c", GATEWAY, "-p", Integer.toString(hostPort),
            "-t", "1", "--connect-timeout", "3000");
        return result.ok() ? null :
            (result.timedOut() ? "timed out" : "exit " + result.exitCode()) + ": " + Shell.firstLine(result.stderr() + result.stdout());
    }

    private static void ip(final String... args)
    {
        final String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        Shell.run(COMMAND_TIMEOUT_SECONDS, command).require(String.join(" ", command));
    }

    private static void in(final String ns, final String... command)
    {
        Shell.inNamespace(COMMAND_TIMEOUT_SECONDS, ns, command).require(String.join(" ", command) + " in " + ns);
    }

    private static void quietly(final String ns, final String... command)
    {
        Shell.inNamespace(COMMAND_TIMEOUT_SECONDS, ns, command);
    }
}
