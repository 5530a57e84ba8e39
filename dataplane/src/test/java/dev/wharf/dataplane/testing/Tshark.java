package dev.wharf.dataplane.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs tshark over frames Wharf produced. A test that needs it is skipped when tshark is absent on a
 * developer's machine, and fails when it is absent in CI ({@code CI=true}), where scripts/install-deps.sh
 * installs it.
 */
public final class Tshark
{
    private Tshark()
    {
    }

    /** Skips (developer machine) or fails (CI) the calling test when tshark cannot be run. */
    public static void require()
    {
        final boolean present = find() != null;
        if (!present && "true".equals(System.getenv("CI")))
        {
            fail("tshark is not installed; CI must have it (scripts/install-deps.sh)");
        }
        Assumptions.assumeTrue(present, "tshark is not installed");
    }

    private static String find()
    {
        final String path = System.getenv("PATH");
        for (final String dir : (path == null ? "/usr/bin:/usr/local/bin" : path).split(File.pathSeparator))
        {
            final File candidate = new File(dir, "tshark");
            if (candidate.canExecute())
            {
                return candidate.getPath();
            }
        }
        return null;
    }

    /**
     * Dissects {@code frames} and prints {@code fields} of each, one row per frame, with IPv4 header
     * checksums verified ({@code ip.check_checksum}); ICMP checksums are always verified.
     */
    public static List<List<String>> fields(final Path directory, final List<byte[]> frames, final String... fields)
    {
        return fields(directory, frames, List.of(), fields);
    }

    /**
     * {@link #fields(Path, List, String...)} with more tshark preferences ({@code -o NAME:VALUE}), e.g.
     * {@code ip.defragment:TRUE} to have IPv4 fragments reassembled (the datagram's fields then show in
     * its last fragment's row).
     */
    public static List<List<String>> fields(
        final Path directory, final List<byte[]> frames, final List<String> preferences, final String... fields)
    {
        final Path pcap = Pcap.write(directory.resolve("sent.pcap"), frames);
        final List<String> command = new ArrayList<>(List.of(find(), "-n", "-r", pcap.toString(), "-T", "fields",
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (final String preference : preferences)
        {
            command.add("-o");
            command.add(preference);
        }
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final String output = run(directory, command);
        final List<List<String>> rows = new ArrayList<>();
        for (final String line : output.split("\n"))
        {
            if (!line.isEmpty())
            {
                rows.add(Arrays.asList(line.split("\\|", -1)));
            }
        }
        assertEquals(frames.size(), rows.size(), "tshark rows: " + output);
        for (final List<String> row : rows)
        {
            assertEquals(fields.length, row.size(), "tshark columns: " + row);
        }
        return rows;
    }

    private static String run(final Path directory, final List<String> command)
    {
        try
        {
            final Path stderr = directory.resolve("tshark.err");
            final Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            final byte[] out = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark did not finish");
            assertEquals(0, process.exitValue(), "tshark failed: " + Files.readString(stderr));
            return new String(out, StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new AssertionError("cannot run tshark", e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
