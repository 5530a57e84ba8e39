package dev.wharf.control.demo;

import com.sun.security.auth.module.UnixSystem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What {@code wharf demo} runs on the host: {@code ip} (the one tool it needs, from iproute2, found
 * once on PATH or in the system directories) and its own Java peers in the containers' namespaces, started with this JVM, this
 * class path and the flags the {@code wharf} launcher gives (jnr-ffi and Agrona need them). Nothing
 * else: no shell, no procps, no iputils. Called from the demo's thread only.
 */
final class DemoHost
{
    /** A tool the demo cannot do without, and the Debian package that has it. */
    record Tool(String name, String debianPackage)
    {
    }

    /** What a finished command printed (stdout and stderr together) and returned. */
    record Result(int exitCode, String output)
    {
        boolean ok()
        {
            return exitCode == 0;
        }
    }

    static final Tool IP = new Tool("ip", "iproute2");

    /** Where to look after PATH: a user's PATH (su without -) may lack the sbin directories. */
    static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private final String ip;
    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final String classPath = System.getProperty("java.class.path");

    DemoHost(final Path ip)
    {
        this.ip = ip.toString();
    }

    static boolean isRoot()
    {
        return new UnixSystem().getUid() == 0;
    }

    /** The tool's executable in a directory of {@code path} (PATH's form), else in a system directory; null when there is none. */
    static Path which(final Tool tool, final String path)
    {
        final Set<String> directories = new LinkedHashSet<>();
        for (final String directory : (path == null ? "" : path).split(":"))
        {
            if (!directory.isEmpty())
            {
                directories.add(directory);
            }
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        for (final String directory : directories)
        {
            final Path candidate = Path.of(directory, tool.name());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /** The one line that says what is missing and where to get it, before anything starts. */
    static String missing(final Tool tool)
    {
        return "wharf: demo needs '" + tool.name() + "' (Debian package " + tool.debianPackage() + "), found neither on PATH nor in " +
            String.join(", ", SYSTEM_DIRECTORIES) + "; install it with: apt-get install " + tool.debianPackage();
    }

    /** {@code ip ARGS}. */
    List<String> ip(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(ip));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code ip netns exec NAMESPACE ip ARGS}. */
    List<String> ipIn(final String namespace, final String... args)
    {
        return in(namespace, ip(args));
    }

    /** {@code ip netns exec NAMESPACE COMMAND}. */
    List<String> in(final String namespace, final List<String> command)
    {
        final List<String> full = ip("netns", "exec", namespace);
        full.addAll(command);
        return full;
    }

    /**
     * This JVM running {@code main} from this class path with the launcher's flags. {@code quickStart}
     * is for short-lived helpers: one compiler tier and one GC thread start sooner on a small machine.
     */
    List<String> java(final Class<?> main, final boolean quickStart, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(java,
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Djnr.ffi.x86asm.enabled=false"));
        if (Runtime.version().feature() >= 23)
        {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (quickStart)
        {
            command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        }
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command to its end (killed after {@code timeoutSeconds}); its output, stderr included. */
    static Result run(final int timeoutSeconds, final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try
        {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                return new Result(-1, output + "(timed out after " + timeoutSeconds + " s)");
            }
            return new Result(process.exitValue(), output);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** Runs a setup step that must work. */
    static void shell(final List<String> command) throws IOException, InterruptedException
    {
        final Result result = run(30, command);
        if (!result.ok())
        {
            throw new IOException(String.join(" ", command) + " failed: " + result.output().strip());
        }
    }

    /** Deletes the demo's namespaces (after killing what still runs in them) and host links, of this run or an earlier one. */
    void removeLeftovers(final String[] namespaces, final String[] links) throws IOException, InterruptedException
    {
        for (final String namespace : namespaces)
        {
            final Result pids = run(10, ip("netns", "pids", namespace));
            if (pids.ok())
            {
                pids.output().lines().map(String::strip).filter(l -> l.matches("[0-9]+"))
                    .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
            }
            run(10, ip("netns", "del", namespace));
        }
        for (final String link : links)
        {
            run(10, ip("link", "del", link));
        }
    }
}
