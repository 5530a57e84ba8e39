package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wharf capture} on a real daemon, judged by tshark: a pcap file written while c1 pings c2
 * and the gateway holds the echo requests and replies with the right addresses, types and good IP
 * and ICMP checksums; the same through a pipe ({@code -w - | tshark -r -}); Ctrl-C and a reader that
 * goes away end the capture cleanly and free it on the daemon.
 */
class CaptureEndToEndTest
{
    private static final List<String> TSHARK_FIELDS = List.of("-o", "ip.check_checksum:TRUE", "-Y", "icmp", "-T", "fields",
        "-E", "separator=,", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type", "-e", "ip.checksum.status", "-e", "icmp.checksum.status");

    private static final int PING_FOR_AT_MOST_S = 60;

    private Topology topology;
    private WharfDaemonProcess wharf;
    private final List<BackgroundProcess> background = new ArrayList<>();
    private String c1;
    private String p1;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "tshark");
        topology = new Topology("wtcc");
        wharf = new WharfDaemonProcess().start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        c1 = topology.namespace("c1");
        final String c2 = topology.namespace("c2");
        p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        final String p2 = topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", p2, "--ip", "10.10.0.3");
        // resolve ARP first, so that the captures hold ICMP only
        assertTrue(topology.ping(c1, "10.10.0.3", 1), "c1 -> c2\n" + wharf.log());
        assertTrue(topology.ping(c1, "10.10.0.1", 1), "c1 -> gateway\n" + wharf.log());
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final BackgroundProcess process : background)
            {
                process.close();
            }
            if (wharf != null)
            {
                wharf.close();
            }
        }
        finally
        {
            if (topology != null)
            {
                topology.close();
            }
        }
    }

    private BackgroundProcess startInBackground(final List<String> command) throws Exception
    {
        final BackgroundProcess process = BackgroundProcess.start(command);
        background.add(process);
        return process;
    }

    /** Pings c2 and the gateway, one echo each, until {@code process} ends (at most a minute: it may still be starting); its exit code. */
    private int pingUntilDone(final BackgroundProcess process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PING_FOR_AT_MOST_S);
        while (process.isAlive() && System.nanoTime() < deadline)
        {
            topology.exec(10, c1, "ping", "-c", "1", "-W", "1", "10.10.0.3");
            topology.exec(10, c1, "ping", "-c", "1", "-W", "1", "10.10.0.1");
            Thread.sleep(50);
        }
        final int exit = process.waitFor(10);
        assertTrue(exit >= 0, "still running after pinging for " + PING_FOR_AT_MOST_S + " s: " + process.stderr() + "\n" + wharf.log());
        return exit;
    }

    /** Asserts tshark's lines (ip.src,ip.dst,icmp.type,ip checksum status,icmp checksum status) show both pings' both ways, checksums good. */
    private static void assertEchoesWithGoodChecksums(final List<String> lines)
    {
        assertTrue(lines.contains("10.10.0.2,10.10.0.3,8,1,1"), "echo request to c2: " + lines);
        assertTrue(lines.contains("10.10.0.3,10.10.0.2,0,1,1"), "echo reply from c2: " + lines);
        assertTrue(lines.contains("10.10.0.2,10.10.0.1,8,1,1"), "echo request to the gateway: " + lines);
        assertTrue(lines.contains("10.10.0.1,10.10.0.2,0,1,1"), "echo reply from the gateway (checksums rewritten by wharf): " + lines);
        for (final String line : lines)
        {
            assertTrue(line.endsWith(",1,1"), "IP and ICMP checksums good (status 1): " + line);
        }
    }

    /**
     * The 8 frames captured are mostly echoes; the containers' kernels may slip an ARP refresh in
     * among them (more often on a loaded machine, when the pings take longer), which tshark's icmp
     * filter leaves out.
     */
    private static void assertEchoFrameCount(final List<String> lines)
    {
        assertTrue(lines.size() >= 6 && lines.size() <= 8, () -> "6 to 8 of the 8 frames are ICMP echoes: " + lines);
    }

    private static List<String> tshark(final Path file)
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-r", file.toString()));
        command.addAll(TSHARK_FIELDS);
        final Host.Result result = Host.run(60, command.toArray(new String[0])).assertOk("tshark -r " + file);
        return result.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void aCaptureFileHoldsTheEchoesWithCorrectFields() throws Exception
    {
        final Path file = wharf.directory().resolve("c1.pcap");
        final BackgroundProcess capture = startInBackground(wharf.cliCommand("capture", p1, "-w", file.toString(), "--count", "8"));
        assertTrue(BackgroundProcess.await(30, () -> capture.stderr().contains("capturing on")), capture::stderr);
        assertEquals(0, pingUntilDone(capture), capture::stderr);
        assertTrue(capture.stderr().contains("8 frames captured, 0 lost"), capture::stderr);

        final List<String> lines = tshark(file);
        assertEchoFrameCount(lines);
        assertEchoesWithGoodChecksums(lines);
    }

    @Test
    void captureToStdoutPipesIntoTshark() throws Exception
    {
        final String pipeline = shell(wharf.cliCommand("capture", p1, "-w", "-", "--count", "8")) + " | " +
            shell(List.of("tshark", "-r", "-")) + " " + shell(TSHARK_FIELDS);
        final BackgroundProcess sh = startInBackground(List.of("/bin/sh", "-c", pipeline));
        assertEquals(0, pingUntilDone(sh), sh::stderr);
        assertTrue(sh.stderr().contains("8 frames captured, 0 lost"), sh::stderr);
        final List<String> lines = sh.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertEchoFrameCount(lines);
        assertEchoesWithGoodChecksums(lines);
    }

    @Test
    void ctrlCEndsACaptureCleanlyAndFreesItOnTheDaemon() throws Exception
    {
        final Path file = wharf.directory().resolve("until-ctrl-c.pcap");
        final BackgroundProcess capture = startInBackground(wharf.cliCommand("capture", p1, "-w", file.toString()));
        assertTrue(BackgroundProcess.await(30, () -> capture.stderr().contains("Ctrl-C to stop")), capture::stderr);
        assertTrue(topology.ping(c1, "10.10.0.3", 2));
        // the two echoes and their replies reach the file first (each frame is flushed as it arrives): what
        // Ctrl-C must do is end the capture cleanly, not race frames still on their way from the daemon
        final long fourEchoFrames = 24 + 4 * (16 + 98); // pcap header, then four records of 98-byte echo frames (ping -s 56)
        assertTrue(BackgroundProcess.await(10, () -> sizeOf(file) >= fourEchoFrames), () -> "pcap bytes: " + sizeOf(file));
        Host.run(10, "kill", "-INT", String.valueOf(capture.pid())).assertOk("kill -INT");
        assertEquals(0, capture.waitFor(20), capture::stderr);
        assertTrue(capture.stderr().strip().endsWith("frames captured, 0 lost"), capture::stderr);
        assertTrue(tshark(file).size() >= 4, "the file is complete and readable");

        assertNextCaptureAccepted();
    }

    private static long sizeOf(final Path file)
    {
        try
        {
            return java.nio.file.Files.size(file);
        }
        catch (final java.io.IOException e)
        {
            return 0;
        }
    }

    @Test
    void aReaderThatGoesAwayEndsTheCaptureCleanly() throws Exception
    {
        // head takes the pcap header and leaves: wharf's next write fails with EPIPE (the JVM ignores SIGPIPE)
        final String pipeline = "(" + shell(wharf.cliCommand("capture", p1, "-w", "-")) + "; echo wharf-exit=$? >&2) | head -c 24 > /dev/null";
        final BackgroundProcess sh = startInBackground(List.of("/bin/sh", "-c", pipeline));
        pingUntilDone(sh);
        assertTrue(sh.stderr().contains("(the reader closed stdout)"), sh::stderr);
        assertTrue(sh.stderr().contains("wharf-exit=0"), sh::stderr);

        assertNextCaptureAccepted();
    }

    /** The daemon freed the capture: a new one is accepted (allowing it a moment to see the old call cancelled). */
    private void assertNextCaptureAccepted() throws Exception
    {
        final Path file = wharf.directory().resolve("next.pcap");
        for (int attempt = 0; attempt < 10; attempt++)
        {
            final BackgroundProcess next = startInBackground(wharf.cliCommand("capture", p1, "-w", file.toString(), "--count", "1", "-q"));
            final int exit = pingUntilDone(next);
            if (exit == 0)
            {
                assertEquals("", next.stderr());
                return;
            }
            assertEquals(4, exit, "only 'a capture is already running' may refuse it: " + next.stderr());
            Thread.sleep(200);
        }
        throw new AssertionError("the daemon never freed the first capture\n" + wharf.log());
    }

    private static String shell(final List<String> words)
    {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }
}
