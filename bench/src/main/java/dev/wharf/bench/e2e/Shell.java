package dev.wharf.bench.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host commands the harness is made of (ip, ethtool, ovs-vsctl, iperf3, ping, ...), each
 * bounded in time: a command still running at its deadline is killed with its children and
 * reported as timed out, so no traffic run or stuck tool can hold the harness forever.
 * Called from the harness's main thread and from its shutdown hook.
 */
final class Shell
{
    private static final File DEV_NULL = new File("/dev/null");

    private Shell()
    {
    }

    /** The outcome of a finished (or killed) command. */
    record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut)
    {
        boolean ok()
        {
            return exitCode == 0 && !timedOut;
        }

        /** Returns this result, or throws with the command, its exit code and its stderr. */
        Result require(final String what)
        {
            if (!ok())
            {
                throw new HarnessException(what + " failed (" + (timedOut ? "timed out" : "exit " + exitCode) + "): " +
                    String.join(" ", command) + ": " + firstLine(stderr.isBlank() ? stdout : stderr));
            }
            return this;
        }
    }

    static Result run(final int timeoutSeconds, final String... command)
    {
        return run(timeoutSeconds, Map.of(), Arrays.asList(command));
    }

    static Result run(final int timeoutSeconds, final Map<String, String> environment, final List<String> command)
    {
        try
        {
            final Path out = Files.createTempFile(HarnessPrefix.VALUE + "-", ".out");
            final Path err = Files.createTempFile(HarnessPrefix.VALUE + "-", ".err");
            try
            {
                final ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(DEV_NULL);
                builder.environment().putAll(environment);
                final Process process = builder.start();
                final boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                if (!finished)
                {
                    kill(process);
                }
                return new Result(List.copyOf(command), finished ? process.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), !finished);
            }
            finally
            {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
        catch (final IOException e)
        {
            return new Result(List.copyOf(command), -1, "", "cannot run: " + e.getMessage(), false);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted running " + String.join(" ", command), e);
        }
    }

    /** Runs {@code command} inside network namespace {@code ns}. */
    static Result inNamespace(final int timeoutSeconds, final String ns, final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(Arrays.asList(command));
        return run(timeoutSeconds, Map.of(), full);
    }

    /** Kills a process and everything it started, children first so none is re-parented and left behind. */
    static void kill(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The absolute path of {@code tool} on PATH or in the sbin directories (root's tools live there), or null. */
    static Path which(final String tool)
    {
        final List<String> dirs = new ArrayList<>(Arrays.asList(
            System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (final String dir : dirs)
        {
            if (dir.isEmpty())
            {
                continue;
            }
            final Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    static String firstLine(final String text)
    {
        final String stripped = text.strip();
        final int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline);
    }
}
