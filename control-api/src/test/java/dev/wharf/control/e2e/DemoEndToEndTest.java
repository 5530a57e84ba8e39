package dev.wharf.control.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's first command on a machine without the test tools: {@code ./wharf demo}, the packaged
 * launcher and jar, with a PATH that holds only {@code ip} and what the launcher itself runs (bash and
 * a few coreutils, on every Debian), so no ping, socat, tshark, iperf3 or python3. Every step must
 * pass, the pings must show replies with round-trip times, and the TCP figure must read as a content
 * check. The demo names its namespaces and links itself (demo-c1..demo-c4, demo-out, demo-h1..demo-h3,
 * demo-up): no other demo may run on this host at the same time.
 */
class DemoEndToEndTest
{
    /** What the demo and its launcher may find on PATH: iproute2's ip, and bash with the coreutils the launcher calls. */
    private static final List<String> BARE_TOOLS = List.of("ip", "bash", "dirname", "sed", "ls", "sort");
    private static final List<String> TEST_TOOLS = List.of("ping", "socat", "tshark", "iperf3", "python3", "sysctl");
    private static final List<String> CHECKS = List.of(
        "demo-c1 pings demo-c2 through Wharf",
        "demo-c1 pings its gateway 10.10.0.1 (answered by Wharf)",
        "demo-c4 on back pings its gateway over the TAP device",
        "a 200 MB TCP transfer through Wharf arrives intact (same SHA-256 at both ends)",
        "front cannot reach back",
        "demo-c1 reaches the outside, masqueraded to the uplink address",
        "a 50 MB TCP transfer from the outside to a published port arrives intact (same SHA-256 at both ends)");
    private static final Pattern PING_STEP = Pattern.compile(
        "\\$ ip netns exec (\\S+) java DemoPing (\\S+) 3.*\\n((?:  .*\\n)+)");
    private static final Pattern REPLY = Pattern.compile("64 bytes from ([0-9.]+): icmp_seq=[1-3] time=[0-9]+\\.[0-9]{3} ms");

    @TempDir
    Path directory;

    @Test
    void theReadmesFirstCommandPassesWithoutPingSocatOrTshark() throws Exception
    {
        Host.requireRootAnd("ip");
        WharfDaemonProcess.jar();
        final Path launcher = Path.of("..", "wharf").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(launcher), "the launcher: " + launcher);
        final Path bin = Files.createDirectories(directory.resolve("bin"));
        for (final String tool : BARE_TOOLS)
        {
            final Path real = Host.which(tool);
            assertNotNull(real, tool + " is on every machine the demo is for");
            Files.createSymbolicLink(bin.resolve(tool), real.toRealPath());
        }
        for (final String tool : TEST_TOOLS)
        {
            assertFalse(Files.exists(bin.resolve(tool)), tool + " must be off the demo's PATH");
        }

        final Host.Result demo;
        try
        {
            demo = runDemo(launcher, bin);
        }
        finally
        {
            for (final String tool : BARE_TOOLS)
            {
                // the links only: JUnit would warn about links that point out of the temporary directory
                Files.deleteIfExists(bin.resolve(tool));
            }
        }

        final String output = demo.stdout();
        assertEquals(0, demo.exitCode(), () -> "./wharf demo exit code; it printed:\n" + output);
        assertFalse(output.contains("FAILED"), output);
        assertTrue(output.contains("Demo passed: every check above worked."), output);
        for (final String check : CHECKS)
        {
            assertTrue(output.contains("\n  ok: " + check + "\n"), () -> "step '" + check + "' passed:\n" + output);
        }

        final List<String> replied = new ArrayList<>();
        final Matcher step = PING_STEP.matcher(output);
        while (step.find())
        {
            final String to = step.group(2);
            final String shown = step.group(3);
            assertTrue(shown.startsWith("  PING " + to + ": 56 data bytes, over a ping socket\n"),
                () -> "the containers grant ping sockets, as Docker's do:\n" + shown);
            if (to.equals("10.20.0.2"))
            {
                assertTrue(shown.contains("  3 packets transmitted, 0 received, 100% packet loss\n"), shown);
                assertTrue(shown.contains("  ok: front cannot reach back\n"), shown);
                continue;
            }
            final Matcher reply = REPLY.matcher(shown);
            assertTrue(reply.find(), () -> "a reply with its round-trip time from " + to + ":\n" + shown);
            assertEquals(to, reply.group(1));
            assertTrue(Pattern.compile("  rtt min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms\n").matcher(shown).find(), shown);
            replied.add(to);
        }
        assertEquals(List.of("10.10.0.3", "10.10.0.1", "10.20.0.1", "10.99.0.1"), replied, () -> "the ping steps:\n" + output);

        assertTrue(output.contains("  content check: 209715200 bytes sent and 209715200 received, SHA-256 "), output);
        assertTrue(output.contains("  content check: 52428800 bytes sent and 52428800 received, SHA-256 "), output);
        assertTrue(Pattern.compile("\\(it ran at [0-9.]+ Gbit/s, which is not Wharf's speed").matcher(output).find(),
            () -> "the transfer's rate is labelled as no measure of Wharf:\n" + output);

        assertFalse(Host.run(10, "ip", "netns", "list").stdout().contains("demo-"), "the demo removed its namespaces");
        assertNotEquals(0, Host.run(10, "ip", "link", "show", "demo-up").exitCode(), "the demo removed its links");
    }

    @Test
    void theDemosPingRepliesOverLoopbackAndExitsTwoWhenItCannotPing() throws Exception
    {
        Host.requireRootAnd();
        final Host.Result replied = Host.run(60, demoPing("127.0.0.1", "2"));
        assertEquals(0, replied.exitCode(), replied::toString);
        assertTrue(REPLY.matcher(replied.stdout()).find(), replied.stdout());
        assertTrue(replied.stdout().contains("2 packets transmitted, 2 received, 0% packet loss"), replied.stdout());

        // the demo counts only exit 1 as "no reply": a ping that could not run must not pass the isolation check
        final Host.Result refused = Host.run(60, demoPing("10.0.0.300"));
        assertEquals(2, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("DemoPing: not an IPv4 address: '10.0.0.300'"), refused.stderr());
    }

    /** Runs {@code ./wharf demo} with nothing from this environment but {@code bin} as PATH; its exit code and output (stderr too). */
    private Host.Result runDemo(final Path launcher, final Path bin) throws Exception
    {
        final Path log = directory.resolve("demo.log");
        final ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "demo")
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        final Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", bin.toString());
        environment.put("HOME", directory.toString());
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        final Process demo = builder.start();
        if (!demo.waitFor(300, TimeUnit.SECONDS))
        {
            demo.destroyForcibly();
            demo.waitFor(10, TimeUnit.SECONDS);
            fail("./wharf demo did not finish in 300 s:\n" + Files.readString(log));
        }
        return new Host.Result(demo.exitValue(), Files.readString(log, StandardCharsets.UTF_8), "");
    }

    private static String[] demoPing(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "-Djnr.ffi.x86asm.enabled=false"));
        if (Runtime.version().feature() >= 23)
        {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", WharfDaemonProcess.jar().toString(), "dev.wharf.control.demo.DemoPing"));
        command.addAll(List.of(args));
        return command.toArray(new String[0]);
    }
}
