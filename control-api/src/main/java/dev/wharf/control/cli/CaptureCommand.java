package dev.wharf.control.cli;

import dev.wharf.control.api.v1.CaptureDirection;
import dev.wharf.control.api.v1.CaptureEvent;
import dev.wharf.control.api.v1.CaptureRequest;
import dev.wharf.control.api.v1.CaptureStarted;
import dev.wharf.control.api.v1.CapturedFrame;
import dev.wharf.control.client.WharfClient;
import dev.wharf.dataplane.capture.PcapWriter;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code wharf capture PORT -w FILE}: streams a port's frames from the daemon's CaptureService into
 * a pcap file, or with {@code -w -} to stdout for {@code | tshark -r -}. Every frame is flushed as it
 * comes, so a reader sees it at once and an interrupted capture leaves a readable file.
 *
 * <p>It ends when the count is reached, on Ctrl-C or SIGTERM (caught so the call is cancelled, which
 * stops the capture on the daemon, and the file is completed), or when the reader of stdout goes
 * away (the JVM ignores SIGPIPE; the write fails instead). Those are normal ends: exit 0, with the
 * frames captured and lost on stderr. stdout carries nothing but pcap. Main thread, plus the JVM's
 * signal thread, which only cancels the call.
 */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    description = {"Capture the frames a port receives and sends into a pcap file that tshark, tcpdump and",
        "Wireshark read; '-w -' writes to stdout. Runs until --count frames or Ctrl-C, then prints on",
        "stderr how many frames were captured and how many were lost (reader too slow). One capture at",
        "a time per daemon."},
    footer = {"", "Example:",
        "  wharf capture veth-c1 -w c1.pcap --count 100",
        "  wharf capture veth-c1 -w - --direction rx | tshark -r -"})
final class CaptureCommand extends ClientCommand
{
    /** Which frames of the port: as received from the container, as sent to it, or both. */
    enum Direction
    {
        rx(CaptureDirection.CAPTURE_DIRECTION_RX), tx(CaptureDirection.CAPTURE_DIRECTION_TX), both(CaptureDirection.CAPTURE_DIRECTION_BOTH);

        final CaptureDirection api;

        Direction(final CaptureDirection api)
        {
            this.api = api;
        }
    }

    @Parameters(index = "0", paramLabel = "PORT", description = "The port's interface name (the uplink's too).")
    String port;

    @Option(names = {"-w", "--write"}, required = true, paramLabel = "FILE", description = "The pcap file to write; - for stdout.")
    String file;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Stop after N frames (default: run until Ctrl-C).")
    Integer count;

    @Option(names = "--direction", paramLabel = "rx|tx|both", description = "Frames received, sent, or both (default: ${DEFAULT-VALUE}).")
    Direction direction = Direction.both;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on stderr unless something fails.")
    boolean quiet;

    @Override
    protected void run(final WharfClient client) throws Exception
    {
        if (count != null && count < 1)
        {
            throw new CliFailure(ExitCodes.USAGE, "capture count " + count + " must be at least 1 (leave --count out to capture until Ctrl-C)");
        }
        final CaptureRequest request = CaptureRequest.newBuilder()
            .setPort(port)
            .setDirection(direction.api)
            .setCount(count == null ? 0 : count)
            .build();
        final Context.CancellableContext context = Context.current().withCancellation();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final Map<Signal, SignalHandler> previous = onSignals(List.of("INT", "TERM"), () ->
        {
            interrupted.set(true);
            context.cancel(null);
        });
        try
        {
            context.call(() ->
            {
                capture(client, request, context, interrupted);
                return null;
            });
        }
        finally
        {
            previous.forEach(Signal::handle);
            context.cancel(null);
        }
    }

    private void capture(
        final WharfClient client, final CaptureRequest request, final Context.CancellableContext context, final AtomicBoolean interrupted)
    {
        final Iterator<CaptureEvent> events = client.capture().capture(request);
        final CaptureStarted started;
        try
        {
            // the first event says the daemon accepted the capture: only then is the file created
            started = events.next().getStarted();
        }
        catch (final StatusRuntimeException e)
        {
            if (interrupted.get())
            {
                return;
            }
            throw e;
        }
        final boolean toStdout = "-".equals(file);
        final OutputStream sink;
        try
        {
            sink = toStdout ? new FileOutputStream(FileDescriptor.out) : Files.newOutputStream(Path.of(file));
        }
        catch (final IOException | RuntimeException e)
        {
            context.cancel(null);
            throw new CliFailure(ExitCodes.FAILURE, "cannot write " + file + ": " + reason(file, e));
        }
        final PrintWriter err = spec.commandLine().getErr();
        long frames = 0;
        long lost = 0;
        String ending = null;
        IOException writeFailure = null;
        PcapWriter pcap = null;
        try
        {
            pcap = new PcapWriter(new BufferedOutputStream(sink, 1 << 16), started.getSnapLength());
            pcap.flush();
            if (!quiet)
            {
                err.println("capturing on " + started.getPort() + " (" + label(started.getDirection()) + ") into " +
                    (toStdout ? "stdout" : file) + (started.getCount() == 0 ? "; Ctrl-C to stop" : " until " + started.getCount() + " frames"));
                err.flush();
            }
            while (events.hasNext())
            {
                final CaptureEvent event = events.next();
                if (event.hasFrame())
                {
                    final CapturedFrame frame = event.getFrame();
                    pcap.write(frame.getTimestampNs(), frame.getData().toByteArray(), frame.getOriginalLength());
                    pcap.flush();
                    frames++;
                    lost = frame.getLost();
                }
                else if (event.hasFinished())
                {
                    lost = event.getFinished().getLost();
                    ending = event.getFinished().getReason();
                }
            }
        }
        catch (final StatusRuntimeException e)
        {
            if (!interrupted.get())
            {
                closeQuietly(pcap, toStdout);
                throw e;
            }
        }
        catch (final IOException e)
        {
            context.cancel(null);
            if (toStdout)
            {
                ending = "the reader closed stdout";
            }
            else
            {
                writeFailure = e;
            }
        }
        if (!closeQuietly(pcap, toStdout) && !toStdout && writeFailure == null)
        {
            writeFailure = new IOException("close failed");
        }
        if (writeFailure != null)
        {
            throw new CliFailure(ExitCodes.FAILURE, "cannot write " + file + ": " + reason(file, writeFailure));
        }
        if (!quiet)
        {
            err.println(frames + (frames == 1 ? " frame" : " frames") + " captured, " + lost + " lost" +
                (ending == null || "count reached".equals(ending) ? "" : " (" + ending + ")"));
            err.flush();
        }
    }

    /**
     * Why {@code file} could not be written, in words: NIO's exceptions for a missing directory or a
     * refused permission carry nothing but the path, which the message names already.
     */
    static String reason(final String file, final Exception e)
    {
        if (e instanceof NoSuchFileException)
        {
            final Path parent = Path.of(file).toAbsolutePath().getParent();
            return parent != null && !Files.isDirectory(parent) ? "no such directory " + parent : "no such file or directory";
        }
        if (e instanceof AccessDeniedException)
        {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null && !fs.getReason().isEmpty())
        {
            final String reason = fs.getReason();
            return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Flushes, and closes a file (stdout stays open: in-process callers may still use it). */
    private static boolean closeQuietly(final PcapWriter pcap, final boolean toStdout)
    {
        if (pcap == null)
        {
            return true;
        }
        try
        {
            if (toStdout)
            {
                pcap.flush();
            }
            else
            {
                pcap.close();
            }
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    static String label(final CaptureDirection direction)
    {
        return switch (direction)
        {
            case CAPTURE_DIRECTION_RX -> "rx";
            case CAPTURE_DIRECTION_TX -> "tx";
            default -> "rx+tx";
        };
    }

    /**
     * Runs {@code action} on the named signals instead of the JVM's default (exit), so that the
     * command can end the capture cleanly. Returns the handlers to put back. A signal the JVM will
     * not hand out (e.g. with -Xrs) keeps its default: the daemon then sees the connection close,
     * which stops the capture all the same.
     */
    private static Map<Signal, SignalHandler> onSignals(final List<String> names, final Runnable action)
    {
        final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (final String name : names)
        {
            try
            {
                final Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, s -> action.run()));
            }
            catch (final IllegalArgumentException e)
            {
                // not available here: keep the default
            }
        }
        return previous;
    }
}
