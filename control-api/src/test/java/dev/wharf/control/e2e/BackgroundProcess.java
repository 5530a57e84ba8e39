package dev.wharf.control.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A command an end-to-end test runs in the background while it makes traffic (a capture, a
 * pipeline), with its output in temporary files the test can read while it runs. {@link #close()}
 * kills it and its children by PID if it is still running, and removes the files.
 */
final class BackgroundProcess implements AutoCloseable
{
    private final Process process;
    private final Path out;
    private final Path err;

    private BackgroundProcess(final Process process, final Path out, final Path err)
    {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static BackgroundProcess start(final List<String> command) throws IOException
    {
        final Path out = Files.createTempFile("wharf-e2e-bg", ".out");
        final Path err = Files.createTempFile("wharf-e2e-bg", ".err");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        return new BackgroundProcess(process, out, err);
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    String stdout()
    {
        return read(out);
    }

    String stderr()
    {
        return read(err);
    }

    /** Waits up to {@code seconds} for {@code condition}; false if it never held. */
    static boolean await(final int seconds, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Waits up to {@code seconds} for the process to end; its exit code, or -1 if it still runs. */
    int waitFor(final int seconds) throws InterruptedException
    {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException e)
        {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        if (process.isAlive())
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
