package dev.wharf.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands (ip, python3, tshark) for the tests, bounded in time; only ever kills what it started. */
final class Shell
{
    private static final long TIMEOUT_S = 60;

    private Shell()
    {
    }

    /** Runs a command, returns its stdout; fails with its stderr on a non-zero exit. */
    static String run(final String... command)
    {
        return run(TIMEOUT_S, command);
    }

    static String run(final long timeoutS, final String... command)
    {
        final Result result = tryRun(timeoutS, command);
        if (result.exit != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit + ": " + result.stderr.trim());
        }
        return result.stdout;
    }

    static Result tryRun(final long timeoutS, final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).start();
            final java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> read(process.getErrorStream()));
            final java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> read(process.getInputStream()));
            if (!process.waitFor(timeoutS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, out.getNow(""), "timed out after " + timeoutS + " s");
            }
            return new Result(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + ex, ex);
        }
    }

    /** Starts a background process; the caller stops it with {@link Process#destroy()} (its own PID only). */
    static Process start(final String... command)
    {
        try
        {
            return new ProcessBuilder(command).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + String.join(" ", command), ex);
        }
    }

    static String read(final java.io.InputStream in)
    {
        try
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    static String[] inNamespace(final String namespace, final String... command)
    {
        final List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all.toArray(new String[0]);
    }

    record Result(int exit, String stdout, String stderr)
    {
    }
}
