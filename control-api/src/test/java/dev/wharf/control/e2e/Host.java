package dev.wharf.control.e2e;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on this host for end-to-end tests, and decides whether a test that needs root or a
 * tool may run: outside CI a missing capability skips the test; with {@code CI=true} it fails it,
 * because a skipped end-to-end test there would pass for the wrong reason.
 */
public final class Host
{
    public static final boolean IN_CI = "true".equalsIgnoreCase(System.getenv("CI"));

    private Host()
    {
    }

    /** The outcome of a finished command. */
    public record Result(int exitCode, String stdout, String stderr)
    {
        public Result assertOk(final String what)
        {
            Assertions.assertEquals(0, exitCode, () -> what + " failed (exit " + exitCode + "): " + stderr.strip() + " " + stdout.strip());
            return this;
        }
    }

    /** Skips (or in CI fails) the calling test unless it runs as root with every tool named. */
    public static void requireRootAnd(final String... tools)
    {
        require(isRoot(), "needs root (network namespaces, AF_PACKET, /dev/net/tun)");
        for (final String tool : tools)
        {
            require(which(tool) != null, "needs the tool '" + tool + "' (installed by .ci/run)");
        }
    }

    public static void require(final boolean condition, final String reason)
    {
        if (IN_CI)
        {
            Assertions.assertTrue(condition, "CI=true and the test cannot run: " + reason);
        }
        Assumptions.assumeTrue(condition, reason);
    }

    public static boolean isRoot()
    {
        try
        {
            return "0".equals(run(5, "id", "-u").stdout().strip());
        }
        catch (final RuntimeException e)
        {
            return false;
        }
    }

    public static Path which(final String tool)
    {
        final String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        final List<String> dirs = new ArrayList<>(Arrays.asList(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (final String dir : dirs)
        {
            final Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /** Runs a command, waiting at most {@code timeoutSeconds}; a command still running then is killed and reported. */
    public static Result run(final int timeoutSeconds, final String... command)
    {
        try
        {
            final Path out = Files.createTempFile("wharf-e2e", ".out");
            final Path err = Files.createTempFile("wharf-e2e", ".err");
            try
            {
                final Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
                {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    return new Result(-1, Files.readString(out), "timed out after " + timeoutSeconds + " s: " +
                        String.join(" ", command) + "\n" + Files.readString(err));
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            }
            finally
            {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    public static Result sh(final int timeoutSeconds, final String script)
    {
        return run(timeoutSeconds, "/bin/sh", "-c", script);
    }
}
