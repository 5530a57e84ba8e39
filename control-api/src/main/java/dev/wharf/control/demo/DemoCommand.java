package dev.wharf.control.demo;

import dev.wharf.control.cli.WharfMain;
import dev.wharf.control.daemon.WharfDaemon;
import dev.wharf.control.server.PortOpener;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.io.Ports;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
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
 * made, also when a step fails. Needs root.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {"Show Wharf at work: containers wired through a daemon, ping, TCP, isolation, masquerade and a",
        "published port, then clean up.",
        "Needs root, iproute2 and ping. Makes namespaces demo-c1..demo-c4 and demo-out and removes them afterwards."},
    footer = {"", "Example:", "  sudo ./wharf demo", "  ./wharf demo --megabytes 500"})
public final class DemoCommand implements Callable<Integer>
{
    private static final String[] NAMESPACES = {"demo-c1", "demo-c2", "demo-c3", "demo-c4", "demo-out"};
    private static final String[] HOST_ENDS = {"demo-h1", "demo-h2", "demo-h3", "demo-up"};
    private static final String OUTSIDE = "demo-out";
    private static final String UPLINK = "demo-up";
    private static final String TAP = "demo-t4";

    @Option(names = "--megabytes", paramLabel = "MB", description = "Size of the TCP transfer (default: ${DEFAULT-VALUE}).")
    int megabytes = 200;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads of the demo's daemon (default: ${DEFAULT-VALUE}).")
    int workers = DataplaneConfiguration.WORKERS_DEFAULT;

    private final PrintStream out = System.out;
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception
    {
        if (!"0".equals(run(5, "id", "-u").strip()))
        {
            System.err.println("wharf: demo needs root (it creates network namespaces and opens raw sockets); try: sudo ./wharf demo");
            return 1;
        }
        removeLeftovers();
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
            removeLeftovers();
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
            shell("ip", "netns", "add", NAMESPACES[i]);
            shell("ip", "netns", "exec", NAMESPACES[i], "ip", "link", "set", "lo", "up");
        }
        for (int i = 0; i < 3; i++)
        {
            final String ip = "10.10.0." + (i + 2);
            shell("ip", "link", "add", HOST_ENDS[i], "type", "veth", "peer", "name", "eth0", "netns", NAMESPACES[i]);
            shell("ip", "link", "set", HOST_ENDS[i], "up");
            shell("ip", "netns", "exec", NAMESPACES[i], "ip", "addr", "add", ip + "/24", "dev", "eth0");
            shell("ip", "netns", "exec", NAMESPACES[i], "ip", "link", "set", "eth0", "up");
            shell("ip", "netns", "exec", NAMESPACES[i], "ip", "route", "add", "default", "via", "10.10.0.1");
            wharf(socket, "port", "attach", "front", HOST_ENDS[i], "--ip", ip);
        }
        wharf(socket, "port", "attach", "back", TAP, "--tap", "--ip", "10.20.0.2");
        shell("ip", "link", "set", TAP, "netns", NAMESPACES[3]);
        shell("ip", "netns", "exec", NAMESPACES[3], "ip", "addr", "add", "10.20.0.2/24", "dev", TAP);
        shell("ip", "netns", "exec", NAMESPACES[3], "ip", "link", "set", TAP, "up");
        // the outside world: a router at 10.99.0.1 behind the host's uplink, with no route to the containers
        shell("ip", "link", "add", UPLINK, "type", "veth", "peer", "name", "eth0", "netns", OUTSIDE);
        shell("sysctl", "-qw", "net.ipv6.conf." + UPLINK + ".disable_ipv6=1");
        shell("ip", "link", "set", UPLINK, "up");
        shell("ip", "netns", "exec", OUTSIDE, "ip", "addr", "add", "10.99.0.1/24", "dev", "eth0");
        shell("ip", "netns", "exec", OUTSIDE, "ip", "link", "set", "eth0", "up");
        wharf(socket, "uplink", "set", UPLINK, "--ip", "10.99.0.2/24", "--gateway", "10.99.0.1");
        wharf(socket, "network", "ls");
        wharf(socket, "port", "ls");
    }

    private void check(final Path socket) throws IOException, InterruptedException
    {
        expect("demo-c1 pings demo-c2 through Wharf", ping(NAMESPACES[0], "10.10.0.3"));
        expect("demo-c1 pings its gateway 10.10.0.1 (answered by Wharf)", ping(NAMESPACES[0], "10.10.0.1"));
        expect("demo-c4 on back pings its gateway over the TAP device", ping(NAMESPACES[3], "10.20.0.1"));
        transfer();
        say("Isolation: demo-c1 (front) tries to reach demo-c4 (back) directly; it must fail.");
        shell("ip", "netns", "exec", NAMESPACES[0], "ip", "route", "add", "10.20.0.2/32", "dev", "eth0");
        expect("front cannot reach back", !ping(NAMESPACES[0], "10.20.0.2"));
        say("Masquerade: demo-c1 pings 10.99.0.1 outside; the outside has no route to 10.10.0.0/24, so only");
        say("replies to the uplink address 10.99.0.2 can come back.");
        expect("demo-c1 reaches the outside, masqueraded to the uplink address", ping(NAMESPACES[0], "10.99.0.1"));
        say("Published port: outside:8080 -> demo-c2 (10.10.0.3):5001.");
        wharf(socket, "publish", "add", "front", "10.10.0.3:5001", "-p", "8080/tcp");
        transfer(OUTSIDE, "10.99.0.2", "8080", Math.min(megabytes, 50), "from the outside to a published port");
        wharf(socket, "conntrack", "list");
        wharf(socket, "fdb", "show", "front");
        wharf(socket, "stats");
    }

    private void transfer() throws IOException, InterruptedException
    {
        transfer(NAMESPACES[0], "10.10.0.3", "5001", megabytes, "through Wharf");
    }

    /** Sends {@code size} MB from {@code client} to a one-shot server in demo-c2 on port 5001, reached at {@code host:port}. */
    private void transfer(final String client, final String host, final String port, final int size, final String how)
        throws IOException, InterruptedException
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String jar = new File(DemoTcpPeer.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();
        say("$ (in demo-c2) java DemoTcpPeer serve 5001   # then, in " + client + ", send " + size + " MB to " + host + ":" + port);
        final Process server = new ProcessBuilder("ip", "netns", "exec", NAMESPACES[1], java, "-cp", jar, DemoTcpPeer.class.getName(),
            "serve", "5001").redirectErrorStream(true).start();
        try
        {
            final String ready = new String(server.getInputStream().readNBytes("listening\n".length()), StandardCharsets.UTF_8);
            if (!ready.startsWith("listening"))
            {
                expect("the TCP server starts in demo-c2", false);
                return;
            }
            final String sent = run(300, "ip", "netns", "exec", client, java, "-cp", jar, DemoTcpPeer.class.getName(),
                "send", host, port, String.valueOf(size)).strip();
            final boolean done = server.waitFor(120, TimeUnit.SECONDS);
            final String received = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            out.println("  " + sent);
            out.println("  " + received);
            final String[] s = sent.split(" ");
            final String[] r = received.split(" ");
            expect("a " + size + " MB TCP transfer " + how + " arrives intact (same SHA-256 at both ends)",
                done && s.length >= 4 && r.length >= 4 && s[1].equals(r[1]) && s[3].equals(r[3]));
        }
        finally
        {
            server.destroyForcibly();
        }
    }

    private boolean ping(final String namespace, final String address) throws IOException, InterruptedException
    {
        say("$ ip netns exec " + namespace + " ping -c 3 " + address);
        final Process process = new ProcessBuilder("ip", "netns", "exec", namespace, "ping", "-c", "3", "-i", "0.2", "-W", "1", address)
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        output.lines().filter(l -> l.contains("packets transmitted") || l.contains("rtt")).forEach(l -> out.println("  " + l));
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
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

    private void shell(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    private static String run(final int timeoutSeconds, final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        return output;
    }

    private static void removeLeftovers() throws IOException, InterruptedException
    {
        for (final String ns : NAMESPACES)
        {
            run(10, "sh", "-c", "ip netns pids " + ns + " 2>/dev/null | xargs -r kill -9; ip netns del " + ns + " 2>/dev/null");
        }
        for (final String link : HOST_ENDS)
        {
            run(10, "ip", "link", "del", link);
        }
    }
}
