package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a daemon's process holds at one moment, as the kernel and the JVM count it: resident memory
 * ({@code VmRSS}), the JVM's committed native memory by Native Memory Tracking (total and the Java heap's share,
 * so the rest is what the JVM knows beside the heap: direct buffers, thread stacks, code, metaspace, GC tables),
 * the heap's live bytes after a full GC, open descriptors and threads. Memory an unmanaged {@code mmap} holds
 * (AF_PACKET rings) is in RSS only.
 *
 * @param rssKb            {@code VmRSS} of {@code /proc/PID/status}.
 * @param nmtCommittedKb   NMT's committed total.
 * @param heapCommittedKb  NMT's committed Java heap.
 * @param heapUsedKb       the heap's used bytes ({@code GC.heap_info}) right after {@code GC.run}: its live set.
 * @param descriptors      entries of {@code /proc/PID/fd}.
 * @param threads          {@code Threads} of {@code /proc/PID/status}.
 * @param nmtCategoriesKb  NMT's committed memory by category ("Code", "Other" for direct buffers, "Thread", ...).
 */
record DaemonFootprint(long rssKb, long nmtCommittedKb, long heapCommittedKb, long heapUsedKb, int descriptors, int threads,
    Map<String, Long> nmtCategoriesKb)
{
    private static final int JCMD_TIMEOUT_SECONDS = 60;
    private static final Pattern STATUS_KB = Pattern.compile("^(\\w+):\\s+(\\d+)(?:\\s+kB)?$", Pattern.MULTILINE);
    private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB", Pattern.MULTILINE);
    private static final Pattern NMT_HEAP = Pattern.compile("^-\\s+Java Heap \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)", Pattern.MULTILINE);
    private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(\\S.*?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)", Pattern.MULTILINE);
    private static final Pattern HEAP_USED = Pattern.compile("total reserved \\d+K, committed \\d+K, used (\\d+)K");

    /** A sample without the categories (tests). */
    DaemonFootprint(final long rssKb, final long nmtCommittedKb, final long heapCommittedKb, final long heapUsedKb, final int descriptors,
        final int threads)
    {
        this(rssKb, nmtCommittedKb, heapCommittedKb, heapUsedKb, descriptors, threads, Map.of());
    }

    /** Committed native memory that is not the Java heap. */
    long nativeKb()
    {
        return nmtCommittedKb - heapCommittedKb;
    }

    /**
     * Samples process {@code pid}, collecting its garbage first ({@code jcmd PID GC.run}) so that the heap's used bytes
     * are its live set and direct buffers only the GC would free are gone; the daemon must run with
     * {@code -XX:NativeMemoryTracking=summary}.
     */
    static DaemonFootprint sample(final Path jcmd, final long pid)
    {
        jcmd(jcmd, pid, "GC.run");
        final String heapInfo = jcmd(jcmd, pid, "GC.heap_info");
        final String nmt = jcmd(jcmd, pid, "VM.native_memory", "summary");
        final String status = read(Path.of("/proc", Long.toString(pid), "status"));
        return new DaemonFootprint(statusValue(status, "VmRSS"), nmtTotalCommittedKb(nmt), nmtHeapCommittedKb(nmt), heapUsedKb(heapInfo),
            descriptors(pid), (int)statusValue(status, "Threads"), nmtCategoriesKb(nmt));
    }

    /** A value of {@code /proc/PID/status} ({@code VmRSS: 1234 kB}, {@code Threads: 26}). */
    static long statusValue(final String status, final String key)
    {
        final Matcher m = STATUS_KB.matcher(status);
        while (m.find())
        {
            if (m.group(1).equals(key))
            {
                return Long.parseLong(m.group(2));
            }
        }
        throw new HarnessException("no " + key + " in /proc/PID/status");
    }

    /** The committed total of {@code jcmd PID VM.native_memory summary}. */
    static long nmtTotalCommittedKb(final String nmt)
    {
        final Matcher m = NMT_TOTAL.matcher(nmt);
        if (!m.find())
        {
            throw new HarnessException("no NMT total (is the daemon running with -XX:NativeMemoryTracking=summary?): " + Shell.firstLine(nmt));
        }
        return Long.parseLong(m.group(2));
    }

    /** The Java heap's committed memory in {@code jcmd PID VM.native_memory summary}. */
    static long nmtHeapCommittedKb(final String nmt)
    {
        final Matcher m = NMT_HEAP.matcher(nmt);
        if (!m.find())
        {
            throw new HarnessException("no Java Heap line in the NMT summary: " + Shell.firstLine(nmt));
        }
        return Long.parseLong(m.group(2));
    }

    /** Every category's committed memory in {@code jcmd PID VM.native_memory summary}, in its order. */
    static Map<String, Long> nmtCategoriesKb(final String nmt)
    {
        final Map<String, Long> categories = new LinkedHashMap<>();
        final Matcher m = NMT_CATEGORY.matcher(nmt);
        while (m.find())
        {
            categories.put(m.group(1), Long.parseLong(m.group(3)));
        }
        return categories;
    }

    /**
     * The categories whose committed memory changed by at least {@code minimumKb} from {@code earlier} to this sample,
     * largest change first: {@code Code +3.1 MB, Other -1.0 MB}; empty when none did.
     */
    String categoryGrowth(final DaemonFootprint earlier, final long minimumKb)
    {
        return nmtCategoriesKb.entrySet().stream()
            .map(e -> Map.entry(e.getKey(), e.getValue() - earlier.nmtCategoriesKb.getOrDefault(e.getKey(), 0L)))
            .filter(e -> Math.abs(e.getValue()) >= minimumKb)
            .sorted((a, b) -> Long.compare(Math.abs(b.getValue()), Math.abs(a.getValue())))
            .map(e -> String.format(Locale.ROOT, "%s %+.1f MB", e.getKey(), mb(e.getValue())))
            .collect(Collectors.joining(", "));
    }

    /** The used bytes of {@code jcmd PID GC.heap_info} (G1, Parallel and Serial all print "used NK"). */
    static long heapUsedKb(final String heapInfo)
    {
        final Matcher m = HEAP_USED.matcher(heapInfo);
        if (!m.find())
        {
            throw new HarnessException("no heap usage in GC.heap_info: " + Shell.firstLine(heapInfo));
        }
        return Long.parseLong(m.group(1));
    }

    private static int descriptors(final long pid)
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            return (int)fds.count();
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot list the daemon's descriptors: " + e.getMessage(), e);
        }
    }

    private static String jcmd(final Path jcmd, final long pid, final String... command)
    {
        final String[] full = new String[command.length + 2];
        full[0] = jcmd.toString();
        full[1] = Long.toString(pid);
        System.arraycopy(command, 0, full, 2, command.length);
        return Shell.run(JCMD_TIMEOUT_SECONDS, full).require("jcmd " + String.join(" ", command)).stdout();
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** One line: {@code RSS 412.3 MB, native 180.2 MB (NMT 692.0 MB, heap 512.0 MB), live heap 38.1 MB, 18 fds, 27 threads}. */
    String describe()
    {
        return String.format(Locale.ROOT, "RSS %.1f MB, native %.1f MB (NMT committed %.1f MB, heap %.1f MB), live heap %.1f MB, %d fds, %d threads",
            mb(rssKb), mb(nativeKb()), mb(nmtCommittedKb), mb(heapCommittedKb), mb(heapUsedKb), descriptors, threads);
    }

    static double mb(final long kb)
    {
        return kb / 1024.0;
    }
}
