package dev.wharf.bench.e2e;

import dev.wharf.control.client.WharfClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code wharf bench soak}: attaches and detaches ports, creates and removes networks, publishes and unpublishes a
 * port and runs traffic through a daemon of its own for minutes, and fails when the daemon keeps anything: its RSS,
 * native memory, live heap, descriptors and threads at the end must be within {@link SoakBounds#DEFAULT} of what they
 * were after the warm-up. The daemon runs with Native Memory Tracking and a heap fixed in size and touched at start
 * ({@link #DAEMON_JVM_OPTIONS}), so that heap sizing cannot pass for a leak. Run by the launcher as
 * {@code java -cp wharf-benchmarks.jar dev.wharf.bench.e2e.SoakMain ARGS}.
 * <p>
 * Exit status: 0 when the daemon stayed within the bounds and every cycle passed, 1 when it grew or a cycle failed,
 * 2 on a bad command line, a missing tool or no root.
 */
public final class SoakMain
{
    /**
     * The daemon's JVM flags besides the launcher's: NMT's summary (a few % of CPU), and a 512 MiB heap committed and
     * touched at start, so RSS changes only with memory outside the heap (the daemon's heap holds about 60 MiB live).
     */
    static final String DAEMON_JVM_OPTIONS = "-XX:NativeMemoryTracking=summary -Xms512m -Xmx512m -XX:+AlwaysPreTouch";
    private static final long CATEGORY_CHANGE_SHOWN_KB = 512;
    private static final List<String> TOOLS = List.of("ip", "ping", "iperf3");

    private SoakMain()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, System.out));
    }

    static int run(final String[] args, final PrintStream out)
    {
        final SoakOptions options;
        try
        {
            options = SoakOptions.parse(args, E2eMain.defaultLauncher());
        }
        catch (final E2eOptions.UsageException e)
        {
            if (e.getMessage() == null)
            {
                out.println(SoakOptions.USAGE);
                return 0;
            }
            System.err.println("wharf bench soak: " + e.getMessage());
            System.err.println(SoakOptions.USAGE);
            return 2;
        }
        final String unmet = unmetRequirement();
        if (unmet != null)
        {
            System.err.println("wharf bench soak: " + unmet);
            return 2;
        }
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd))
        {
            System.err.println("wharf bench soak: no jcmd next to this JVM (" + jcmd + "): run it with a JDK, not a JRE");
            return 2;
        }

        final Cleanup cleanup = new Cleanup();
        cleanup.installShutdownHook(SoakMain::sweepLeftovers);
        sweepLeftovers();
        final Path workDir;
        try
        {
            workDir = Files.createTempDirectory("sk-soak-");
        }
        catch (final IOException e)
        {
            System.err.println("wharf bench soak: cannot create a work directory: " + e.getMessage());
            return 1;
        }
        final SoakRun.Result result;
        try
        {
            result = soak(options, jcmd, workDir, cleanup, out);
        }
        catch (final HarnessException e)
        {
            System.err.println("wharf bench soak: " + e.getMessage());
            System.err.println("logs kept in " + workDir);
            return 1;
        }
        finally
        {
            cleanup.runAll();
        }
        return report(result, SoakBounds.DEFAULT, workDir, out);
    }

    private static SoakRun.Result soak(final SoakOptions options, final Path jcmd, final Path workDir, final Cleanup cleanup,
        final PrintStream out)
    {
        WharfDaemon.probe(options.wharf());
        SoakHosts.create(workDir, cleanup);
        final String userOptions = System.getenv().getOrDefault("WHARF_JAVA_OPTS", "");
        final WharfDaemon daemon = WharfDaemon.start(options.wharf(), true, workDir, cleanup, SoakHosts.HOST,
            Map.of("WHARF_JAVA_OPTS", (DAEMON_JVM_OPTIONS + " " + userOptions).strip()));
        final List<ProcessHandle> jvm = daemon.jvm();
        if (jvm.size() != 1)
        {
            throw new HarnessException("cannot tell the daemon's JVM among " + jvm.size() + " processes");
        }
        out.printf(Locale.ROOT, "wharf bench soak: daemon pid %d in namespace %s (%s); %d warm-up cycles, then %s%n", jvm.get(0).pid(),
            SoakHosts.HOST, DAEMON_JVM_OPTIONS, options.warmupCycles(), options.cycles() > 0 ?
                String.format(Locale.ROOT, "%d cycles (at most %.0f s)", options.cycles(), options.durationSeconds()) :
                String.format(Locale.ROOT, "%.0f s of cycles", options.durationSeconds()));
        final WharfClient client = new WharfClient(daemon.socket());
        cleanup.add("API client", client::close);
        final SoakRun.Result result = new SoakRun(options, client, jcmd, jvm.get(0).pid(), out).run();
        if (result.failure() != null)
        {
            out.println("daemon log: " + daemon.logTail(3));
        }
        return result;
    }

    /** Prints the verdict; 0 when the run passed. */
    static int report(final SoakRun.Result result, final SoakBounds bounds, final Path workDir, final PrintStream out)
    {
        out.println();
        if (result.baseline() != null && result.end() != null)
        {
            out.printf(Locale.ROOT, "%d measured cycles in %.0f s (%.1f cycles/s); %d pings and %d TCP bursts in all, %d traffic failures%n",
                result.cycles(), result.seconds(), result.cycles() / Math.max(result.seconds(), 1e-9), result.pings(), result.bursts(),
                result.trafficFailures().size());
            out.println("start: " + result.baseline().describe());
            out.println("end:   " + result.end().describe());
            out.println("bounds (growth from start to end): " + bounds.describe());
            final String categories = result.end().categoryGrowth(result.baseline(), CATEGORY_CHANGE_SHOWN_KB);
            out.println("NMT categories that moved by 512 KB or more: " + (categories.isEmpty() ? "none" : categories));
        }
        final List<String> violations = result.baseline() != null && result.end() != null ?
            bounds.violations(result.baseline(), result.end()) : List.of();
        violations.forEach(v -> out.println("GREW: " + v));
        if (result.failure() != null)
        {
            out.println("FAILED: " + result.failure());
        }
        else if (result.end() == null)
        {
            out.println("FAILED: the daemon could not be measured at the end");
        }
        final boolean passed = result.failure() == null && result.end() != null && violations.isEmpty() && result.trafficFailures().isEmpty();
        if (passed)
        {
            out.println("PASSED: the daemon stayed within every bound");
            deleteTree(workDir);
            return 0;
        }
        out.println("logs kept in " + workDir);
        return 1;
    }

    /** Why the soak cannot run here, or null. */
    private static String unmetRequirement()
    {
        if (!"0".equals(Shell.run(5, "id", "-u").stdout().strip()))
        {
            return "must run as root (it creates network namespaces and veths)";
        }
        for (final String tool : TOOLS)
        {
            if (Shell.which(tool) == null)
            {
                return "missing " + tool + "; " + ToolCheck.installHint("iproute2", "iputils-ping", "iperf3");
            }
        }
        return null;
    }

    private static void sweepLeftovers()
    {
        final List<String> leftovers = SoakHosts.leftovers();
        if (!leftovers.isEmpty())
        {
            System.out.println("removing the namespaces of an earlier soak: " + String.join(", ", leftovers));
            leftovers.forEach(SoakHosts::deleteNamespace);
        }
    }

    private static void deleteTree(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException e)
        {
            // a temporary directory left behind is harmless
        }
    }
}
