package dev.wharf.control.e2e;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code wharf daemon} in a child process, driven through the real CLI, as a user would:
 * both run from the shaded jar that {@code mvn package} built. The daemon listens on a socket in a
 * temporary directory; {@link #close()} stops it by its PID and keeps its log for failures.
 * {@link #inNamespace} runs the daemon inside a network namespace (one "host" of an overlay, with its
 * own interfaces and underlay address): only the daemon runs there, through {@code ip netns exec}; its
 * socket and state stay in the temporary directory, and the CLI reaches it from the root namespace
 * because a Unix socket file belongs to the file system, not to a network namespace.
 */
public final class WharfDaemonProcess implements AutoCloseable
{
    private static final List<String> JVM_FLAGS = List.of(
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        "-Djnr.ffi.x86asm.enabled=false",
        "-Dagrona.disable.bounds.checks=true");

    private final Path directory;
    private final Path socket;
    private final Path stateDirectory;
    private final Path log;
    private final List<String> extraArgs;
    /** The network namespace the daemon runs in, or null for the root namespace. */
    private final String namespace;
    private Process process;

    public WharfDaemonProcess(final String... extraDaemonArgs) throws IOException
    {
        this(null, extraDaemonArgs);
    }

    private WharfDaemonProcess(final String namespace, final String... extraDaemonArgs) throws IOException
    {
        this.namespace = namespace;
        this.directory = Files.createTempDirectory("wharf-e2e");
        this.socket = directory.resolve("wharf.sock");
        this.stateDirectory = directory.resolve("state");
        this.log = directory.resolve("daemon.log");
        this.extraArgs = List.of(extraDaemonArgs);
    }

    /** A daemon that will run inside network namespace {@code namespace} (which must exist when it starts). */
    public static WharfDaemonProcess inNamespace(final String namespace, final String... extraDaemonArgs) throws IOException
    {
        return new WharfDaemonProcess(namespace, extraDaemonArgs);
    }

    public static Path jar()
    {
        final Path jar = Path.of("target", "wharf.jar").toAbsolutePath();
        Assertions.assertTrue(Files.isRegularFile(jar), "the shaded jar is missing (run mvn package first): " + jar);
        return jar;
    }

    private static List<String> java()
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        if (Runtime.version().feature() >= 23)
        {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-jar");
        command.add(jar().toString());
        return command;
    }

    /** The daemon's command line: the JVM's, behind {@code ip netns exec} for a daemon in a namespace. */
    private List<String> daemonJava()
    {
        final List<String> command = new ArrayList<>();
        if (namespace != null)
        {
            // ip netns exec execs the JVM in place: the process started is the daemon itself, whose PID kill9() and close() use
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.addAll(java());
        return command;
    }

    /** The network namespace the daemon runs in, or null for the root one. */
    public String namespace()
    {
        return namespace;
    }

    public Path directory()
    {
        return directory;
    }

    public Path socket()
    {
        return socket;
    }

    /** The daemon's --state-dir: private to this test, kept across {@link #kill9()} and {@link #start()}. */
    public Path stateDirectory()
    {
        return stateDirectory;
    }

    /** Kills the daemon with SIGKILL (no chance to clean up) and waits until it is gone. */
    public void kill9() throws InterruptedException
    {
        Host.run(10, "kill", "-9", String.valueOf(process.pid())).assertOk("kill -9");
        Assertions.assertTrue(process.waitFor(10, TimeUnit.SECONDS), "daemon gone after kill -9");
    }

    /** Runs {@code wharf daemon} in the foreground expecting it to refuse to start; returns its result. */
    public Host.Result startExpectingFailure()
    {
        final List<String> command = daemonJava();
        command.addAll(List.of("daemon", "--socket", socket.toString(), "--state-dir", stateDirectory.toString(), "--metrics", "off"));
        command.addAll(extraArgs);
        return Host.run(60, command.toArray(new String[0]));
    }

    /** Starts the daemon and waits until its API answers. */
    public WharfDaemonProcess start() throws IOException, InterruptedException
    {
        final List<String> command = daemonJava();
        command.add("daemon");
        command.add("--socket");
        command.add(socket.toString());
        command.add("--state-dir");
        command.add(stateDirectory.toString());
        if (!extraArgs.contains("--metrics"))
        {
            // the default metrics port is one per host: concurrent suites would collide on it
            command.add("--metrics");
            command.add("off");
        }
        command.addAll(extraArgs);
        process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                Assertions.fail("wharf daemon exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket) && cli("network", "ls").exitCode() == 0)
            {
                return this;
            }
            Thread.sleep(200);
        }
        Assertions.fail("wharf daemon did not answer within 30 s:\n" + log());
        return this;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process != null && process.isAlive();
    }

    /** Runs {@code wharf <args>} against this daemon. */
    public Host.Result cli(final String... args)
    {
        return Host.run(60, cliCommand(args).toArray(new String[0]));
    }

    /** The command line of {@code wharf <args>} against this daemon, for a test that runs it itself (in the background, in a pipe). */
    public List<String> cliCommand(final String... args)
    {
        final List<String> command = java();
        command.add("--socket");
        command.add(socket.toString());
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code wharf <args>} and fails the test unless it exits 0. */
    public String ok(final String... args)
    {
        return cli(args).assertOk("wharf " + String.join(" ", args)).stdout();
    }

    public String log()
    {
        try
        {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        }
        catch (final IOException e)
        {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the daemon with SIGTERM, then SIGKILL if it lingers. */
    @Override
    public void close() throws InterruptedException
    {
        if (process != null && process.isAlive())
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
