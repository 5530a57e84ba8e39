package dev.wharf.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code wharf daemon} of the harness's own, started through the {@code wharf} launcher a user
 * runs, on a socket in the run's private directory (so a daemon already serving
 * {@code /run/wharf/wharf.sock} is never touched), driven through the same launcher's CLI.
 * <p>
 * It runs in the root namespace, or inside a host namespace of an overlay scenario
 * ({@code ip netns exec NS wharf daemon ...}): there it sees that host's links only, while its
 * socket, a file in the work directory, stays reachable from the root namespace, where the CLI runs.
 */
final class WharfDaemon
{
    private static final int START_TIMEOUT_SECONDS = 120;
    private static final int CLI_TIMEOUT_SECONDS = 60;

    private final Path launcher;
    private final Path socket;
    private final Map<String, String> environment;
    private final BackgroundProcess process;

    private WharfDaemon(final Path launcher, final Path socket, final BackgroundProcess process)
    {
        this.launcher = launcher;
        this.socket = socket;
        this.environment = Map.of("WHARF_SOCKET", socket.toString());
        this.process = process;
    }

    /**
     * Why {@code launcher}'s Wharf cannot run a scenario that needs {@code wharf GROUP VERB}, or null when it has
     * the command: an older Wharf answers {@code GROUP --help} with its top-level help and exit 0.
     */
    static String missingCommand(final Path launcher, final String group, final String verb)
    {
        final Shell.Result help = Shell.run(60, launcher.toString(), group, "--help");
        if (help.ok() && (help.stdout() + help.stderr()).contains("wharf " + group))
        {
            return null;
        }
        return "this Wharf has no '" + group + " " + verb + "' command (" + launcher + " " + group + " --help: " +
            (help.timedOut() ? "timed out" : "exit " + help.exitCode()) + ", " +
            (help.ok() ? "shows the top-level help" : Shell.firstLine(help.stderr().isBlank() ? help.stdout() : help.stderr())) + ")";
    }

    /**
     * Asks {@code wharf daemon --help} (the launcher may build Wharf first, hence the long bound).
     * Returns the help text, or throws with why the launcher cannot run a daemon here.
     */
    static String probe(final Path launcher)
    {
        if (!Files.isExecutable(launcher))
        {
            throw new HarnessException("no executable Wharf launcher at " + launcher + " (pass --wharf PATH)");
        }
        final Shell.Result help = Shell.run(START_TIMEOUT_SECONDS, launcher.toString(), "daemon", "--help");
        if (!help.ok())
        {
            throw new HarnessException(launcher + " daemon --help failed (" + (help.timedOut() ? "timed out" : "exit " + help.exitCode()) + "): " +
                Shell.firstLine(help.stderr().isBlank() ? help.stdout() : help.stderr()));
        }
        return help.stdout() + help.stderr();
    }

    /**
     * Starts the daemon with its socket, and its state directory when it has one (a daemon that
     * persists state must not re-apply this run's network in the user's own state, nor theirs here).
     */
    static WharfDaemon start(final Path launcher, final boolean hasStateDir, final Path workDir, final Cleanup cleanup)
    {
        return start(launcher, hasStateDir, workDir, cleanup, null);
    }

    /**
     * Starts the daemon inside network namespace {@code namespace} (null: the root namespace). Its
     * socket, state directory and log are named after the namespace, so that one daemon per host
     * can share a work directory.
     */
    static WharfDaemon start(final Path launcher, final boolean hasStateDir, final Path workDir, final Cleanup cleanup,
        final String namespace)
    {
        return start(launcher, hasStateDir, workDir, cleanup, namespace, Map.of());
    }

    /** As {@link #start(Path, boolean, Path, Cleanup, String)}, with more environment for the daemon (WHARF_JAVA_OPTS). */
    static WharfDaemon start(final Path launcher, final boolean hasStateDir, final Path workDir, final Cleanup cleanup,
        final String namespace, final Map<String, String> extraEnvironment)
    {
        final String suffix = namespace == null ? "" : "-" + namespace;
        final Path socket = workDir.resolve("wharf" + suffix + ".sock");
        final List<String> command = new ArrayList<>();
        if (namespace != null)
        {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.addAll(List.of(launcher.toString(), "daemon", "--socket", socket.toString()));
        if (hasStateDir)
        {
            command.add("--state-dir");
            command.add(workDir.resolve("wharf-state" + suffix).toString());
        }
        // the default metrics port is one per host: a user's own daemon may hold it
        command.add("--metrics");
        command.add("off");
        final Map<String, String> environment = new HashMap<>(extraEnvironment);
        environment.put("WHARF_SOCKET", socket.toString());
        final BackgroundProcess process = BackgroundProcess.start(namespace == null ? "wharf daemon" : "wharf daemon in " + namespace,
            command, environment, workDir.resolve("wharf-daemon" + suffix + ".log"), cleanup);
        final WharfDaemon daemon = new WharfDaemon(launcher, socket, process);
        daemon.awaitApi();
        return daemon;
    }

    private void awaitApi()
    {
        final long deadline = System.nanoTime() + START_TIMEOUT_SECONDS * 1_000_000_000L;
        while (true)
        {
            process.requireAlive();
            if (Files.exists(socket) && cliResult("network", "ls").ok())
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new HarnessException("wharf daemon did not answer on " + socket + " within " + START_TIMEOUT_SECONDS + " s: " +
                    process.logTail(3));
            }
            try
            {
                Thread.sleep(200);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new HarnessException("interrupted", e);
            }
        }
    }

    /** Runs {@code wharf --socket S <args>}; fails with the CLI's one-line error. */
    String cli(final String... args)
    {
        return cliResult(args).require("wharf " + String.join(" ", args)).stdout();
    }

    private Shell.Result cliResult(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(launcher.toString(), "--socket", socket.toString()));
        command.addAll(Arrays.asList(args));
        return Shell.run(CLI_TIMEOUT_SECONDS, environment, command);
    }

    void requireAlive()
    {
        process.requireAlive();
    }

    /** The API socket, for a client of the harness's own. */
    Path socket()
    {
        return socket;
    }

    /** The last lines of the daemon's log, for a failure message. */
    String logTail(final int lines)
    {
        return process.logTail(lines);
    }

    /**
     * The daemon's JVM: the launcher is a script that may exec java (same PID) or run it as a
     * child, so look for a {@code java} among the process and its descendants.
     */
    List<ProcessHandle> jvm()
    {
        final List<ProcessHandle> candidates = new ArrayList<>();
        candidates.add(process.handle());
        process.handle().descendants().forEach(candidates::add);
        for (final ProcessHandle handle : candidates)
        {
            final String command = handle.info().command().orElse("");
            if (command.endsWith("/java") || command.equals("java"))
            {
                return List.of(handle);
            }
        }
        return candidates;
    }
}
