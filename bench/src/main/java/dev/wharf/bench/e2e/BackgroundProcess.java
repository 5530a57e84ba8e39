package dev.wharf.bench.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A long-running child the harness owns (an iperf3 server, trafgen, ovsdb-server, ovs-vswitchd,
 * the Wharf daemon): started with its output in a log file and registered with {@link Cleanup}
 * so it is stopped by its PID, with SIGTERM and then SIGKILL, however the run ends.
 */
final class BackgroundProcess
{
    private final String name;
    private final Process process;
    private final Path log;

    private BackgroundProcess(final String name, final Process process, final Path log)
    {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static BackgroundProcess start(final String name, final List<String> command, final Map<String, String> environment,
        final Path log, final Cleanup cleanup)
    {
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot start " + name + ": " + e.getMessage(), e);
        }
        final BackgroundProcess started = new BackgroundProcess(name, process, log);
        cleanup.add(name + " (pid " + process.pid() + ")", started::stop);
        return started;
    }

    String name()
    {
        return name;
    }

    long pid()
    {
        return process.pid();
    }

    ProcessHandle handle()
    {
        return process.toHandle();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** Fails with the tail of the log if the process has already exited (it should still be serving). */
    void requireAlive()
    {
        if (!process.isAlive())
        {
            throw new HarnessException(name + " exited with " + process.exitValue() + ": " + logTail(3));
        }
    }

    /** Waits up to {@code timeoutMs} for the process to exit by itself; returns whether it did. */
    boolean waitFor(final long timeoutMs)
    {
        try
        {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM, so the process can tidy up (OVS removes its ports), then SIGKILL after 5 s, children included. */
    void stop()
    {
        if (!process.isAlive())
        {
            return;
        }
        process.destroy();
        if (!waitFor(5_000))
        {
            Shell.kill(process);
        }
    }

    String logTail(final int lines)
    {
        try
        {
            if (!Files.exists(log))
            {
                return "(no log)";
            }
            final List<String> all = Files.readAllLines(log);
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size())).strip();
        }
        catch (final IOException e)
        {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
