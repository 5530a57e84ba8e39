package dev.wharf.control.demo;

import dev.wharf.control.cli.ExitCodes;
import dev.wharf.control.cli.WharfMain;
import dev.wharf.control.daemon.WharfDaemon;
import dev.wharf.control.server.PortOpener;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.io.Ports;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code wharf demo}: Wharf's main job with a built-in default. Starts a daemon in this process,
 * makes four containers (network namespaces), wires three through Wharf on network {@code front}
 * over AF_PACKET and one on {@code back} over a TAP device Wharf creates, and shows what a user
 * would check: ping, the gateway, a TCP transfer with a content check, isolation between networks,
 * the FDB and the counters. A fifth namespace plays the outside world behind an uplink: containers
 * reach it masqueraded, and it reaches a container through a published port. Removes everything it
 * made, also when a step fails. Needs root and {@code ip}; its checks run Wharf's own peers in the
 * containers ({@link DemoPing}, {@link DemoTcpPeer}), so a bare machine with a JDK runs it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {"Show Wharf at work: containers wired through a daemon, ping, TCP, isolation, masquerade and a",
        "published port, then clean up.",
        "Needs root and iproute2 (ip) only: ping and the TCP transfer are Wharf's own Java peers, run in the",
        "containers. Makes namespaces demo-c1..demo-c4 and demo-out and removes them afterwards."},
    footer = {"", "Example:", "  sudo ./wharf demo", "  ./wharf demo --megabytes 500"})
public final class DemoCommand implements Callable<Integer>
{
    private static final String[] NAMESPACES = {"demo-c1", "demo-c2", "demo-c3", "demo-c4", "demo-out"};
    private static final String[] HOST_ENDS = {"demo-h1", "demo-h2", "demo-h3", "demo-up"};
    private static final String OUTSIDE = "demo-out";
    private static final String UPLINK = "demo-up";
    private static final String TAP = "demo-t4";
    /** What Docker sets in each container (since 20.10), so that a process in it may open ping sockets. */
    private static final String PING_GROUP_RANGE = "0 2147483647";

    /** How a ping ended: replies, none, or it could not run (then the demo says why). */
    private enum Ping
    {
        REPLIED, NO_REPLY, ERROR
    }

    @Option(names = "--megabytes", paramLabel = "MB", description = "Size of the TCP transfer (default: ${DEFAULT-VALUE}).")
    int megabytes = 200;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads of the demo's daemon (default: ${DEFAULT-VALUE}).")
    int workers = DataplaneConfiguration.WORKERS_DEFAULT;

    private final PrintStream out = System.out;
    private final List<String> failures = new ArrayList<>();
    private DemoHost host;

    @Override
    public Integer call() throws Exception
    {
        if (!DemoHost.isRoot())
        {
            System.err.println("wharf: demo needs root (it creates network namespaces and opens raw sockets); try: sudo ./wharf demo");
            return 1;
        }
        final Path ip = DemoHost.which(DemoHost.IP, System.getenv("PATH"));
        if (ip == null)
        {
            System.err.println(DemoHost.missing(DemoHost.IP));
            return ExitCodes.PRECONDITION;
        }
        host = new DemoHost(ip);
        host.removeLeftovers(NAMESPACES, HOST_ENDS);
        final Path directory = Files.createTempDirectory("wharf-demo");
        final Path socket = directory.resolve("wharf.sock");
        final NatService nat = new NatService(NatConfiguration.defaults());
        final DataplaneConfiguration configuration = DataplaneConfiguration.defaults().withWorkers(workers)
            .withIdleStrategies(Ports::pollIdleStrategy);
        try (WharfDaemon daemon = WharfDaemon.start(socket, configuration, PortOpener.system(), null, null, nat))
        {
            say("A wharf daemon is running in this process, its API on " + socket);
            wire(socket);
            check(socket);
        }
        finally
        {
            host.removeLeftovers(NAMESPACES, HOST_ENDS);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
            say("Removed the demo's namespaces, links and daemon.");
        }
        if (failures.isEmpty())
        {
            say("Demo passed: every check above worked.");
            return 0;
        }
        System.err.println("wharf: demo failed: " + String.join("; ", failures));
        return 1;
    }

    private void wire(final Path socket) throws IOException, InterruptedException
    {
        wharf(socket, "network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf(socket, "network", "create", "back", "--subnet", "10.20.0.0/24");
        for (int i = 0; i < NAMESPACES.length; i++)
        {
            DemoHost.shell(host.ip("netns", "add", NAMESPACES[i]));
            DemoHost.shell(host.ipIn(NAMESPACES[i], "link", "set", "lo", "up"));
        }
        for (int i = 0; i < 4; i++)
        {
            // unprivileged ping in the containers, as Docker allows it: the demo's pings use ping sockets then
            final DemoHost.Result granted = DemoHost.run(30, host.in(NAMESPACES[i],
                host.java(DemoSysctl.class, true, "net.ipv4.ping_group_range", PING_GROUP_RANGE)));
            if (!granted.ok())
            {
                say("  (" + NAMESPACES[i] + " grants no ping sockets, so its pings use a raw socket: " + granted.output().strip() + ")");
            }
        }
        for (int i = 0; i < 3; i++)
        {
            final String ip = "10.10.0." + (i + 2);
            DemoHost.shell(host.ip("link", "add", HOST_ENDS[i], "type", "veth", "peer", "name", "eth0", "netns", NAMESPACES[i]));
            DemoHost.shell(host.ip("link", "set", HOST_ENDS[i], "up"));
            DemoHost.shell(host.ipIn(NAMESPACES[i], "addr", "add", ip + "/24", "dev", "eth0"));
            DemoHost.shell(host.ipIn(NAMESPACES[i], "link", "set", "eth0", "up"));
            DemoHost.shell(host.ipIn(NAMESPACES[i], "route", "add", "default", "via", "10.10.0.1"));
            wharf(socket, "port", "attach", "front", HOST_ENDS[i], "--ip", ip);
        }
        wharf(socket, "port", "attach", "back", TAP, "--tap", "--ip", "10.20.0.2");
        DemoHost.shell(host.ip("link", "set", TAP, "netns", NAMESPACES[3]));
        DemoHost.shell(host.ipIn(NAMESPACES[3], "addr", "add", "10.20.0.2/24", "dev", TAP));
        DemoHost.shell(host.ipIn(NAMESPACES[3], "link", "set", TAP, "up"));
        // the outside world: a router at 10.99.0.1 behind the host's uplink, with no route to the containers
        DemoHost.shell(host.ip("link", "add", UPLINK, "type", "veth", "peer", "name", "eth0", "netns", OUTSIDE));
        if (Files.isDirectory(DemoSysctl.file("net.ipv6.conf." + UPLINK)))
        {
            // Wharf owns the uplink: the host's IPv6 must not talk on it (a kernel without IPv6 has nothing to turn off)
            DemoSysctl.write("net.ipv6.conf." + UPLINK + ".disable_ipv6", "1");
        }
        DemoHost.shell(host.ip("link", "set", UPLINK, "up"));
        DemoHost.shell(host.ipIn(OUTSIDE, "addr", "add", "10.99.0.1/24", "dev", "eth0"));
        DemoHost.shell(host.ipIn(OUTSIDE, "link", "set", "eth0", "up"));
        wharf(socket, "uplink", "set", UPLINK, "--ip", "10.99.0.2/24", "--gateway", "10.99.0.1");
        wharf(socket, "network", "ls");
        wharf(socket, "port", "ls");
    }

    private void check(final Path socket) throws IOException, InterruptedException
    {
        expectReplies("demo-c1 pings demo-c2 through Wharf", NAMESPACES[0], "10.10.0.3");
        expectReplies("demo-c1 pings its gateway 10.10.0.1 (answered by Wharf)", NAMESPACES[0], "10.10.0.1");
        expectReplies("demo-c4 on back pings its gateway over the TAP device", NAMESPACES[3], "10.20.0.1");
        transfer();
        say("Isolation: demo-c1 (front) tries to reach demo-c4 (back) directly; it must fail.");
        DemoHost.shell(host.ipIn(NAMESPACES[0], "route", "add", "10.20.0.2/32", "dev", "eth0"));
        final Ping isolated = ping(NAMESPACES[0], "10.20.0.2");
        expect("front cannot reach back", isolated == Ping.NO_REPLY);
        say("Masquerade: demo-c1 pings 10.99.0.1 outside; the outside has no route to 10.10.0.0/24, so only");
        say("replies to the uplink address 10.99.0.2 can come back.");
        expectReplies("demo-c1 reaches the outside, masqueraded to the uplink address", NAMESPACES[0], "10.99.0.1");
        say("Published port: outside:8080 -> demo-c2 (10.10.0.3):5001.");
        wharf(socket, "publish", "add", "front", "10.10.0.3:5001", "-p", "8080/tcp");
        transfer(OUTSIDE, "10.99.0.2", "8080", Math.min(megabytes, 50), "from the outside to a published port");
        wharf(socket, "conntrack", "list");
        wharf(socket, "fdb", "show", "front");
        wharf(socket, "stats");
    }

    private void expectReplies(final String what, final String namespace, final String address) throws IOException, InterruptedException
    {
        expect(what, ping(namespace, address) == Ping.REPLIED);
    }

    /** Pings from inside {@code namespace} with {@link DemoPing} and shows what it printed, replies and round-trip times. */
    private Ping ping(final String namespace, final String address) throws IOException, InterruptedException
    {
        say("$ ip netns exec " + namespace + " java DemoPing " + address + " 3   # Wharf's own ping");
        final DemoHost.Result result = DemoHost.run(30, host.in(namespace, host.java(DemoPing.class, true, address, "3")));
        result.output().lines().forEach(l -> out.println("  " + l));
        if (result.exitCode() == DemoPing.EXIT_REPLIED)
        {
            return Ping.REPLIED;
        }
        if (result.exitCode() == DemoPing.EXIT_NO_REPLY)
        {
            return Ping.NO_REPLY;
        }
        // not an answer either way: a check that expects silence must not pass on it
        failures.add("the ping from " + namespace + " to " + address + " could not run (exit " + result.exitCode() + "): " +
            result.output().strip().replace('\n', ' '));
        out.println("  the ping itself could not run (exit " + result.exitCode() + "), see above");
        return Ping.ERROR;
    }

    private void transfer() throws IOException, InterruptedException
    {
        transfer(NAMESPACES[0], "10.10.0.3", "5001", megabytes, "through Wharf");
    }

    /** Sends {@code size} MB from {@code client} to a one-shot server in demo-c2 on port 5001, reached at {@code address:port}. */
    private void transfer(final String client, final String address, final String port, final int size, final String how)
        throws IOException, InterruptedException
    {
        say("$ (in demo-c2) java DemoTcpPeer serve 5001   # then, in " + client + ", send " + size + " MB to " + address + ":" + port);
        final Process server = new ProcessBuilder(host.in(NAMESPACES[1], host.java(DemoTcpPeer.class, false, "serve", "5001")))
            .redirectErrorStream(true).start();
        try
        {
            final String ready = new String(server.getInputStream().readNBytes("listening\n".length()), StandardCharsets.UTF_8);
            if (!ready.startsWith("listening"))
            {
                out.println("  " + ready.strip());
                expect("the TCP server starts in demo-c2", false);
                return;
            }
            final DemoHost.Result sent = DemoHost.run(300, host.in(client, host.java(DemoTcpPeer.class, false, "send", address, port,
                String.valueOf(size))));
            final boolean done = server.waitFor(120, TimeUnit.SECONDS);
            final String received = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            // "sent BYTES sha256 HEX" and "received BYTES sha256 HEX GBIT Gbit/s"
            final String[] s = sent.output().strip().split(" ");
            final String[] r = received.split(" ");
            final boolean intact = sent.ok() && done && s.length >= 4 && r.length >= 5 && s[1].equals(r[1]) && s[3].equals(r[3]);
            if (intact)
            {
                out.println("  content check: " + s[1] + " bytes sent and " + r[1] + " received, SHA-256 " + s[3] + " at both ends");
            }
            else
            {
                out.println("  sender: " + sent.output().strip());
                out.println("  receiver: " + received);
            }
            expect("a " + size + " MB TCP transfer " + how + " arrives intact (same SHA-256 at both ends)", intact);
            if (intact)
            {
                out.println("  (it ran at " + r[4] + " Gbit/s, which is not Wharf's speed: the two JVMs started for this check, cold,");
                out.println("  make up and hash every byte; `./wharf bench e2e` measures Wharf's throughput with iperf3)");
            }
        }
        finally
        {
            server.destroyForcibly();
        }
    }

    private void wharf(final Path socket, final String... args)
    {
        say("$ wharf " + String.join(" ", args));
        final List<String> full = new ArrayList<>(List.of("--socket", socket.toString()));
        full.addAll(List.of(args));
        final int code = WharfMain.newCommandLine().execute(full.toArray(new String[0]));
        if (code != 0)
        {
            failures.add("wharf " + String.join(" ", args) + " exited " + code);
        }
    }

    private void expect(final String what, final boolean ok)
    {
        out.println((ok ? "  ok: " : "  FAILED: ") + what);
        if (!ok)
        {
            failures.add(what);
        }
    }

    private void say(final String line)
    {
        out.println(line);
        out.flush();
    }
}
