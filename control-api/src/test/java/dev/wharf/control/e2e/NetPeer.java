package dev.wharf.control.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * netpeer.py (src/test/resources/e2e), the end-to-end tests' TCP and UDP peer inside a namespace: a server
 * answers every client with its own name and the peer address it sees ({@code who=NAME peer=IP:PORT}),
 * so a test reads an address translation where it happens. Servers run in the background until closed;
 * clients run once.
 */
final class NetPeer
{
    /** A server's answer: group 1 its name, 2 the address it saw, 3 the port it saw. */
    static final Pattern ANSWER = Pattern.compile("who=(\\S+) peer=([0-9.]+):(\\d+)");

    private NetPeer()
    {
    }

    private static String script()
    {
        try
        {
            return Path.of(NetPeer.class.getResource("/e2e/netpeer.py").toURI()).toString();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** netpeer.py with {@code args} in the root namespace: the host itself. */
    static List<String> onHost(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("python3", script()));
        command.addAll(List.of(args));
        return command;
    }

    /** The command line of netpeer.py with {@code args} in namespace {@code ns}. */
    static List<String> command(final String ns, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "python3", script()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts a server ({@code tcp-server}, {@code udp-server}) named {@code name} in {@code ns} and waits until it listens; the caller closes it. */
    static BackgroundProcess server(final String ns, final String mode, final int port, final String name) throws Exception
    {
        final BackgroundProcess server = BackgroundProcess.start(command(ns, mode, Integer.toString(port), name));
        assertTrue(BackgroundProcess.await(10, () -> server.stdout().contains("listening")),
            () -> mode + " " + name + " did not start: " + server.stderr());
        return server;
    }

    /** Runs a client ({@code tcp-client HOST PORT}, ...) in {@code ns}. */
    static Host.Result client(final String ns, final String... args)
    {
        return Host.run(60, command(ns, args).toArray(new String[0]));
    }

    /** The answer a TCP client in {@code ns} got from {@code host:port}, asserting it connected; {@code context} goes into a failure. */
    static Matcher tcp(final String ns, final String host, final int port, final String context)
    {
        final Host.Result result = client(ns, "tcp-client", host, Integer.toString(port));
        result.assertOk(ns + " -> " + host + ":" + port + "\n" + context);
        final Matcher m = ANSWER.matcher(result.stdout());
        assertTrue(m.find(), result.stdout());
        return m;
    }
}
