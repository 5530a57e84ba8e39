package dev.wharf.control.e2e;

import org.junit.jupiter.api.Assertions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dumpcap capturing on an interface inside a namespace (an overlay host's underlay leg, a container's
 * eth0) into a pcap file, then tshark dissecting it: what crossed a wire, judged by a tool that knows
 * VXLAN and Geneve (UDP 4789 and 6081 are dissected by default), not by Wharf's own counters. Called
 * by the test's thread. {@link #close()} stops dumpcap by its PID if it still runs and removes the file.
 * <p>
 * dumpcap, not tshark, captures: stopping tshark ends it before the dumpcap it runs has closed the
 * file, and a read right after could find the file without its last packets (seen here once, under
 * load, as an empty capture).
 */
final class PacketCapture implements AutoCloseable
{
    private final Process process;
    private final Path directory;
    private final Path file;
    private final Path log;
    private final String where;

    private PacketCapture(final Process process, final Path directory, final Path file, final Path log, final String where)
    {
        this.process = process;
        this.directory = directory;
        this.file = file;
        this.log = log;
        this.where = where;
    }

    /** Starts tshark on {@code dev} in {@code ns} with capture filter {@code filter} (null: all) and waits until it captures. */
    static PacketCapture start(final String ns, final String dev, final String filter) throws IOException, InterruptedException
    {
        final Path directory = Files.createTempDirectory("wharf-e2e-pcap");
        final Path file = directory.resolve("capture.pcapng");
        final Path log = directory.resolve("tshark.log");
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "dumpcap", "-n", "-i", dev, "-w", file.toString()));
        if (filter != null)
        {
            command.add("-f");
            command.add(filter);
        }
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final PacketCapture capture = new PacketCapture(process, directory, file, log, dev + " in " + ns);
        final boolean capturing = BackgroundProcess.await(30, () -> capture.log().contains("Capturing on"));
        if (!capturing)
        {
            capture.close();
            Assertions.fail("dumpcap did not start capturing on " + dev + " in " + ns + ": " + capture.log());
        }
        return capture;
    }

    /** Stops the capture (SIGTERM: dumpcap writes out what it has, closes the file and exits) and waits for it. */
    void stop() throws InterruptedException
    {
        if (process.isAlive())
        {
            // libpcap hands packets over a ring block at a time, a block when it is full or its timeout
            // (a fraction of a second) passed: packets of a block still open when dumpcap stops are lost
            Thread.sleep(1000);
            process.destroy();
            Assertions.assertTrue(process.waitFor(20, TimeUnit.SECONDS), "dumpcap on " + where + " did not stop");
        }
    }

    /**
     * The captured packets matching display filter {@code displayFilter}, one line each, with
     * {@code fields} separated by ';'. A field that occurs twice in an encapsulated packet (eth.src,
     * ip.dst) shows both values, outer first, separated by ',': {@code 10.200.0.1,10.50.0.2}.
     */
    List<String> fields(final String displayFilter, final String... fields)
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-Y", displayFilter,
            "-T", "fields", "-E", "separator=;", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        return Host.run(60, command.toArray(new String[0])).assertOk("tshark -r " + file).stdout()
            .lines().filter(line -> !line.isBlank()).toList();
    }

    /** How many captured packets match {@code displayFilter}. */
    int count(final String displayFilter)
    {
        return fields(displayFilter, "frame.number").size();
    }

    /** A one-line-per-packet summary of the whole capture, for failure messages. */
    String summary()
    {
        final Host.Result result = Host.run(60, "tshark", "-n", "-r", file.toString());
        final String text = result.stdout();
        return text.length() > 6000 ? text.substring(0, 6000) + "\n..." : text;
    }

    private String log()
    {
        try
        {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (final IOException e)
        {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        Host.run(10, "rm", "-rf", directory.toString());
    }
}
