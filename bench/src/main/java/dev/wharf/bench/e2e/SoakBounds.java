package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much a daemon may grow between the soak's baseline (after the warm-up) and its end, both taken after a full GC,
 * with the daemon's heap fixed in size and touched at start ({@code -Xms = -Xmx}, {@code AlwaysPreTouch}), so that a
 * growing heap cannot pass for a leak and RSS growth is memory outside it.
 * <p>
 * The bounds do not grow with the cycle count: a daemon that keeps nothing per cycle stays flat however long it runs,
 * while anything it keeps per cycle crosses a fixed bound after enough cycles. They are set well below what one
 * object kept per cycle costs over a short run: a TAP queue's receive pool is 4 MiB and an AF_PACKET queue's rings
 * larger, so 300 cycles that kept either would overshoot by a gigabyte or more, while 300 cycles that kept a 1 KiB heap
 * object each would not (a slow leak needs a longer soak, whose growth the same bounds then catch). What legitimately moves after the
 * warm-up is a few MB of JIT code and compiler arenas, GC bookkeeping and, for descriptors and threads, the JVM's
 * own pools (compiler and GC threads come and go).
 *
 * @param rssKb         VmRSS growth.
 * @param nativeKb      growth of NMT's committed memory beside the heap.
 * @param liveHeapKb    growth of the heap's live set.
 * @param descriptors   growth of open descriptors.
 * @param threads       growth of threads.
 */
record SoakBounds(long rssKb, long nativeKb, long liveHeapKb, int descriptors, int threads)
{
    static final SoakBounds DEFAULT = new SoakBounds(48 * 1024, 32 * 1024, 16 * 1024, 4, 8);

    /** The bounds {@code end} broke relative to {@code baseline}, one line each; empty when it stayed within all. */
    List<String> violations(final DaemonFootprint baseline, final DaemonFootprint end)
    {
        final List<String> broken = new ArrayList<>();
        check(broken, "RSS", baseline.rssKb(), end.rssKb(), rssKb);
        check(broken, "native memory (NMT, beside the heap)", baseline.nativeKb(), end.nativeKb(), nativeKb);
        check(broken, "live heap", baseline.heapUsedKb(), end.heapUsedKb(), liveHeapKb);
        if (end.descriptors() - baseline.descriptors() > descriptors)
        {
            broken.add("descriptors grew from " + baseline.descriptors() + " to " + end.descriptors() + " (bound +" + descriptors + ")");
        }
        if (end.threads() - baseline.threads() > threads)
        {
            broken.add("threads grew from " + baseline.threads() + " to " + end.threads() + " (bound +" + threads + ")");
        }
        return broken;
    }

    private static void check(final List<String> broken, final String what, final long fromKb, final long toKb, final long boundKb)
    {
        if (toKb - fromKb > boundKb)
        {
            broken.add(String.format(Locale.ROOT, "%s grew from %.1f MB to %.1f MB: +%.1f MB (bound +%.0f MB)", what,
                DaemonFootprint.mb(fromKb), DaemonFootprint.mb(toKb), DaemonFootprint.mb(toKb - fromKb), DaemonFootprint.mb(boundKb)));
        }
    }

    /** One line naming every bound. */
    String describe()
    {
        return String.format(Locale.ROOT, "RSS +%.0f MB, native +%.0f MB, live heap +%.0f MB, descriptors +%d, threads +%d",
            DaemonFootprint.mb(rssKb), DaemonFootprint.mb(nativeKb), DaemonFootprint.mb(liveHeapKb), descriptors, threads);
    }
}
