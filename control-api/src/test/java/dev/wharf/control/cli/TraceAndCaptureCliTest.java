package dev.wharf.control.cli;

import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.CaptureEvent;
import dev.wharf.control.api.v1.CaptureRequest;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.TraceState;
import dev.wharf.control.client.WharfClient;
import dev.wharf.control.server.ApiServer;
import dev.wharf.control.server.FakePortOpener;
import dev.wharf.control.server.ControlPlane;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import io.grpc.Context;
import org.agrona.BitUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code wharf trace} and {@code wharf capture} against the real gRPC server on a Unix socket, over a
 * running dataplane whose ports are memory ports the test injects frames into: the text and JSON
 * of trace show, the pcap a capture writes, the one-line errors and their exit codes.
 */
class TraceAndCaptureCliTest
{
    /** scapy: Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:03")/IP(src="10.10.0.2", dst="10.10.0.3", id=7)/ICMP(id=0x1234, seq=1)/Raw(b"wharf-trace-test"). */
    private static final byte[] ECHO_TO_C2 = BitUtil.fromHex(
        "02000000000302000000000108004500002c00070000400166b20a0a00020a0a0003080083e51234000177686172662d74726163652d74657374");
    private static final long WAIT_MS = 10_000;

    @TempDir
    Path directory;

    private Path socket;
    private Dataplane dataplane;
    private ApiServer server;
    private final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-c1", "veth-c2");
    private FakePortOpener.TrackedPort c1;

    /** What one run of {@code wharf} printed and returned. */
    record Run(int exitCode, String out, String err)
    {
        Run fails(final int expectedExit, final String expectedLine)
        {
            assertEquals(expectedLine + System.lineSeparator(), err, "stderr");
            assertEquals(expectedExit, exitCode, () -> "exit code; stderr: " + err);
            assertEquals("", out, "stdout");
            return this;
        }

        Run ok()
        {
            assertEquals(0, exitCode, () -> "exit code; stderr: " + err);
            return this;
        }
    }

    @BeforeEach
    void startServer() throws Exception
    {
        socket = directory.resolve("wharf.sock");
        dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
        dataplane.start();
        server = ApiServer.start(socket, ControlPlane.inMemory(dataplane, opener).services());
        wharf("network", "create", "front", "--subnet", "10.10.0.0/24").ok();
        wharf("port", "attach", "front", "veth-c1", "--ip", "10.10.0.2").ok();
        c1 = opener.lastOpened();
        wharf("port", "attach", "front", "veth-c2", "--ip", "10.10.0.3", "--mac", "02:00:00:00:00:03").ok();
    }

    @AfterEach
    void stopServer()
    {
        server.close();
        dataplane.close();
    }

    private Run wharf(final String... args)
    {
        return wharf(new StringWriter(), args);
    }

    /** Runs wharf with stderr going to {@code err}, which another thread may read while it runs. */
    private Run wharf(final StringWriter err, final String... args)
    {
        final List<String> full = new ArrayList<>(List.of("--socket", socket.toString()));
        full.addAll(List.of(args));
        final StringWriter out = new StringWriter();
        final CommandLine commandLine = WharfMain.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(full.toArray(new String[0]));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private ShowTraceResponse showJson() throws Exception
    {
        final ShowTraceResponse.Builder builder = ShowTraceResponse.newBuilder();
        JsonFormat.parser().merge(wharf("trace", "show", "--json").ok().out(), builder);
        return builder.build();
    }

    @Test
    void traceShowPrintsEachPacketsPathInTextAndJson() throws Exception
    {
        assertEquals("no trace started; start one with: wharf trace start\n", wharf("trace", "show").ok().out());
        assertEquals("tracing the next 2 packets received on veth-c1; see them with: wharf trace show\n",
            wharf("trace", "start", "--port", "veth-c1", "--count", "2").ok().out());
        c1.memory().inject(ECHO_TO_C2);
        c1.memory().inject(ECHO_TO_C2);
        await("two packets recorded", () -> assertDoesNotThrow(() -> showJson().getTrace().getRecorded() == 2));

        final ShowTraceResponse json = showJson();
        assertEquals(TraceState.TRACE_STATE_FINISHED, json.getTrace().getState());
        assertEquals("veth-c2", json.getPackets(1).getSteps(3).getOutPort());

        final List<String> lines = wharf("trace", "show").ok().out().lines().toList();
        assertEquals("trace finished: 2 of 2 packets recorded (port veth-c1)", lines.get(0));
        assertEquals("", lines.get(1));
        assertTrue(lines.get(2).matches("Packet 1: worker 0, in veth-c1, \\+\\d+\\.\\d{3} ms"), lines.get(2));
        assertEquals("  ethernet-input: -> l2-learn", lines.get(3));
        assertTrue(lines.get(4).startsWith("      02:00:00:00:00:01 > 02:00:00:00:00:03 type 0x0800 len 58 | ipv4 10.10.0.2 > 10.10.0.3"),
            lines.get(4));
        assertEquals("  l2-learn: -> l2-forward", lines.get(5));
        assertEquals("  l2-forward: -> interface-output", lines.get(7));
        assertEquals("  interface-output: done, out port veth-c2", lines.get(9));
        assertTrue(lines.get(12).startsWith("Packet 2: worker 0, in veth-c1"), lines.get(12));

        assertEquals("trace finished: 2 of 2 packets recorded (port veth-c1)\n", wharf("trace", "stop").ok().out());
    }

    @Test
    void aNodesDetailIsPrintedUnderItsDecision()
    {
        final dev.wharf.control.api.v1.TraceStep natIn = dev.wharf.control.api.v1.TraceStep.newBuilder().setNode("ip4-nat-in")
            .setDecision("-> ip4-lookup").setBefore("ipv4 10.10.0.2 > 10.10.0.100 tcp 40000 > 80 [S]")
            .setAfter("ipv4 10.10.0.2 > 10.10.0.11 tcp 40000 > 8080 [S]")
            .setDetail("lb: service 10.10.0.100:80/tcp (web), scheduler rr: backend 10.10.0.11:8080, mark 1").build();
        final ShowTraceResponse response = ShowTraceResponse.newBuilder()
            .setTrace(dev.wharf.control.api.v1.TraceStatus.newBuilder().setState(TraceState.TRACE_STATE_FINISHED).setCount(1).setRecorded(1))
            .addPackets(dev.wharf.control.api.v1.TracedPacket.newBuilder().setNumber(1).setPort("veth-c1").addSteps(natIn)).build();
        final java.io.StringWriter text = new java.io.StringWriter();
        TraceShowCommand.print(response, new java.io.PrintWriter(text));
        final List<String> lines = text.toString().lines().toList();
        assertEquals(List.of("  ip4-nat-in: -> ip4-lookup",
            "      lb: service 10.10.0.100:80/tcp (web), scheduler rr: backend 10.10.0.11:8080, mark 1",
            "      before: ipv4 10.10.0.2 > 10.10.0.100 tcp 40000 > 80 [S]",
            "      after:  ipv4 10.10.0.2 > 10.10.0.11 tcp 40000 > 8080 [S]"), lines.subList(3, 7));
    }

    private static boolean assertDoesNotThrow(final java.util.concurrent.Callable<Boolean> check)
    {
        try
        {
            return check.call();
        }
        catch (final Exception e)
        {
            throw new AssertionError(e);
        }
    }

    @Test
    void traceRefusalsAreOneLine()
    {
        wharf("trace", "start", "--port", "veth-c9").fails(ExitCodes.NOT_FOUND, "wharf: port \"veth-c9\" not found (see 'wharf port ls')");
        wharf("trace", "start", "--count", "0").fails(ExitCodes.USAGE, "wharf: trace count 0 is out of range 1..10000");
        wharf("trace", "start", "--count", "10001").fails(ExitCodes.USAGE, "wharf: trace count 10001 is out of range 1..10000");
        wharf("trace", "start", "--count", "many").fails(ExitCodes.USAGE,
            "wharf: Invalid value for option '--count': 'many' is not an int (see 'wharf trace start --help')");
        wharf("trace").fails(ExitCodes.USAGE, "wharf: missing command: choose one of start, show, stop (see 'wharf trace --help')");
    }

    @Test
    void captureWritesAPcapFileOfTheFramesAndSaysHowManyOnStderr() throws Exception
    {
        final Path file = directory.resolve("c1.pcap");
        final StringWriter err = new StringWriter();
        final CompletableFuture<Run> capture = CompletableFuture.supplyAsync(() ->
            wharf(err, "capture", "veth-c1", "-w", file.toString(), "--count", "2", "--direction", "rx"));
        await("the capture to start", () -> err.toString().contains("capturing on"));
        while (!capture.isDone())
        {
            c1.memory().inject(ECHO_TO_C2);
            Thread.sleep(20);
        }
        final Run run = capture.get(WAIT_MS, TimeUnit.MILLISECONDS).ok();
        assertEquals("", run.out());
        assertEquals(List.of("capturing on veth-c1 (rx) into " + file + " until 2 frames", "2 frames captured, 0 lost"), run.err().lines().toList());

        final ByteBuffer pcap = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xA1B23C4D, pcap.getInt(0), "nanosecond pcap magic");
        assertEquals(1, pcap.getInt(20), "link type Ethernet");
        int offset = 24;
        for (int frame = 0; frame < 2; frame++)
        {
            final int captured = pcap.getInt(offset + 8);
            assertEquals(ECHO_TO_C2.length, captured);
            assertEquals(ECHO_TO_C2.length, pcap.getInt(offset + 12));
            assertArrayEquals(ECHO_TO_C2, Arrays.copyOfRange(pcap.array(), offset + 16, offset + 16 + captured));
            offset += 16 + captured;
        }
        assertEquals(pcap.capacity(), offset, "exactly two records");
    }

    @Test
    void captureRefusalsAreOneLineAndCreateNoFile() throws Exception
    {
        final Path file = directory.resolve("none.pcap");
        wharf("capture", "veth-c9", "-w", file.toString()).fails(ExitCodes.NOT_FOUND, "wharf: port \"veth-c9\" not found (see 'wharf port ls')");
        wharf("capture", "veth-c1", "-w", file.toString(), "--count", "0").fails(ExitCodes.USAGE,
            "wharf: capture count 0 must be at least 1 (leave --count out to capture until Ctrl-C)");
        wharf("capture", "veth-c1", "-w", file.toString(), "--direction", "sideways").fails(ExitCodes.USAGE,
            "wharf: Invalid value for option '--direction': expected one of [rx, tx, both] (case-insensitive) but was 'sideways'" +
                " (see 'wharf capture --help')");
        wharf("capture", "veth-c1").fails(ExitCodes.USAGE, "wharf: Missing required option: '--write=FILE' (see 'wharf capture --help')");
        assertFalse(Files.exists(file), "no file for a refused capture");
    }

    @Test
    void aFileInAMissingDirectorySaysWhy()
    {
        final Path file = directory.resolve("missing").resolve("x.pcap");
        wharf("capture", "veth-c1", "-w", file.toString()).fails(ExitCodes.FAILURE,
            "wharf: cannot write " + file + ": no such directory " + directory.resolve("missing"));
    }

    @Test
    void aDirectoryAsTheFileSaysWhy()
    {
        wharf("capture", "veth-c1", "-w", directory.toString()).fails(ExitCodes.FAILURE,
            "wharf: cannot write " + directory + ": is a directory");
    }

    @Test
    void oneCaptureAtATimeAndDetachingThePortEndsIt() throws Exception
    {
        final Path file = directory.resolve("c1.pcap");
        final StringWriter err = new StringWriter();
        final CompletableFuture<Run> first = CompletableFuture.supplyAsync(() -> wharf(err, "capture", "veth-c1", "-w", file.toString()));
        await("the capture to start", () -> err.toString().contains("capturing on veth-c1 (rx+tx) into " + file + "; Ctrl-C to stop"));

        wharf("capture", "veth-c2", "-w", directory.resolve("c2.pcap").toString()).fails(ExitCodes.PRECONDITION,
            "wharf: a capture of port \"veth-c1\" is already running; only one capture at a time (stop it with Ctrl-C)");

        c1.memory().inject(ECHO_TO_C2);
        wharf("port", "detach", "front", "veth-c1").ok();
        final Run run = first.get(WAIT_MS, TimeUnit.MILLISECONDS).ok();
        assertTrue(run.err().endsWith("frames captured, 0 lost (port detached)" + System.lineSeparator()) ||
            run.err().endsWith("frame captured, 0 lost (port detached)" + System.lineSeparator()), run.err());
    }

    @Test
    void cancellingTheCallStopsTheCaptureOnTheDaemon() throws Exception
    {
        try (WharfClient client = new WharfClient(socket))
        {
            final Context.CancellableContext context = Context.current().withCancellation();
            final Context previous = context.attach();
            try
            {
                final Iterator<CaptureEvent> events = client.capture().capture(CaptureRequest.newBuilder().setPort("veth-c1").build());
                assertTrue(events.next().hasStarted());
                c1.memory().inject(ECHO_TO_C2);
                assertTrue(events.next().hasFrame());
            }
            finally
            {
                context.detach(previous);
                context.cancel(null);
            }
        }
        // the daemon notices the cancel and frees the capture for the next caller
        final Path file = directory.resolve("next.pcap");
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        final StringWriter err = new StringWriter();
        CompletableFuture<Run> next;
        while (true)
        {
            next = CompletableFuture.supplyAsync(() -> wharf(err, "capture", "veth-c1", "-w", file.toString(), "-c", "1", "-q"));
            final Run early = awaitStartOrEnd(next, file);
            if (early == null)
            {
                break;
            }
            assertEquals(ExitCodes.PRECONDITION, early.exitCode(), early::err);
            assertTrue(System.nanoTime() < deadline, "the first capture was never stopped");
            Thread.sleep(20);
        }
        while (!next.isDone())
        {
            c1.memory().inject(ECHO_TO_C2);
            Thread.sleep(20);
        }
        final Run run = next.get(WAIT_MS, TimeUnit.MILLISECONDS).ok();
        assertEquals("", run.err(), "-q: nothing on stderr");
    }

    /** Null once the capture created its file (it started), or the run when it ended first (refused). */
    private static Run awaitStartOrEnd(final CompletableFuture<Run> capture, final Path file) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline)
        {
            if (capture.isDone())
            {
                return capture.get();
            }
            if (Files.exists(file))
            {
                return null;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the capture neither started nor ended");
    }

    @Test
    void everyNewVerbHasHelpWithAnExample()
    {
        final String[][] commands = {{"trace"}, {"trace", "start"}, {"trace", "show"}, {"trace", "stop"}, {"capture"}};
        for (final String[] command : commands)
        {
            final List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            final Run run = wharf(args.toArray(new String[0])).ok();
            assertTrue(run.out().contains("Example:"), () -> String.join(" ", command) + ": " + run.out());
            assertTrue(run.out().contains("Usage: wharf"), run.out());
        }
    }
}
