package dev.wharf.nat;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Expiry done by the workers themselves, a bounded slice per duty cycle. A housekeeping thread
 * sweeping the table would hold bucket locks that a worker creating a flow may need; on a busy
 * machine the sweeper can be preempted while holding one and the worker would wait for the scheduler
 * (measured: tens of milliseconds). Here no worker ever waits for a thread that is not running packets.
 *
 * <p>Pacing: the table is visited once per {@code fullSweepMs}, but never faster than
 * {@link #MAX_ENTRIES_PER_SECOND}, so expiry costs a bounded share of a worker however large the
 * table (a 3,000,000-entry table is visited about every 12 s; the default 262,144 every second).
 * Lock-free: workers claim ranges of a shared count of entries due, so two workers never sweep the
 * same slice and none waits for another.
 */
public final class ConntrackExpiry
{
    /** Most entries one duty cycle looks at: bounds the pause it adds to a worker (about 100 us when all expire). */
    public static final int MAX_SLICE = 256;
    /** Most entries looked at per second, whatever the table size. */
    public static final long MAX_ENTRIES_PER_SECOND = 256_000;

    private static final long UNSTARTED = Long.MIN_VALUE;

    private final ConntrackTable table;
    private final long entriesPerSecond;
    private final AtomicLong startMs = new AtomicLong(UNSTARTED);
    private final AtomicLong claimed = new AtomicLong();

    public ConntrackExpiry(final ConntrackTable table, final long fullSweepMs)
    {
        this.table = table;
        this.entriesPerSecond = Math.max(1, Math.min(MAX_ENTRIES_PER_SECOND, table.capacity() * 1_000L / fullSweepMs));
    }

    /**
     * Sweeps the slice of the table due by {@code nowMs}, if any.
     *
     * @return flows removed.
     */
    public int run(final long nowMs)
    {
        final long start = startMs.get();
        if (start == UNSTARTED)
        {
            startMs.compareAndSet(UNSTARTED, nowMs);
            return 0;
        }
        final long elapsedMs = nowMs - start;
        // split so that the product cannot overflow however long the daemon runs
        final long dueTotal = elapsedMs / 1_000 * entriesPerSecond + elapsedMs % 1_000 * entriesPerSecond / 1_000;
        final long done = claimed.get();
        final long due = dueTotal - done;
        if (due <= 0)
        {
            return 0;
        }
        final int slice = (int)Math.min(due, MAX_SLICE);
        if (!claimed.compareAndSet(done, done + slice))
        {
            return 0; // another worker took this slice
        }
        return table.sweepFrom(nowMs, (int)(done % table.capacity()), slice);
    }
}
