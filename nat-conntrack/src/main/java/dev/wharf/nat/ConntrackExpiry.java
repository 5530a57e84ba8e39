package dev.wharf.nat;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Expiry done by the workers themselves, a bounded slice per duty cycle, paced so the whole table is
 * visited about once per {@code fullSweepMs}. A housekeeping thread sweeping the table would hold
 * bucket locks that a worker creating a flow may need; on a busy machine the sweeper can be preempted
 * while holding one and the worker would wait for the scheduler (measured: tens of milliseconds). Here
 * no worker ever waits for a thread that is not running packets.
 *
 * <p>Lock-free: workers agree on how much time has been swept with a compare-and-set and claim table
 * ranges from a shared cursor, so two workers never sweep the same slice and none waits for another.
 */
public final class ConntrackExpiry
{
    /** Most entries one duty cycle looks at: bounds the pause it adds to a worker (tens of microseconds). */
    public static final int MAX_SLICE = 256;

    private static final long UNSTARTED = Long.MIN_VALUE;

    private final ConntrackTable table;
    private final long fullSweepMs;
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicLong sweptUntilMs = new AtomicLong(UNSTARTED);

    public ConntrackExpiry(final ConntrackTable table, final long fullSweepMs)
    {
        this.table = table;
        this.fullSweepMs = fullSweepMs;
    }

    /**
     * Sweeps the slice of the table due by {@code nowMs}, if any.
     *
     * @return flows removed.
     */
    public int run(final long nowMs)
    {
        final long until = sweptUntilMs.get();
        if (until == UNSTARTED)
        {
            sweptUntilMs.compareAndSet(UNSTARTED, nowMs);
            return 0;
        }
        final long elapsedMs = nowMs - until;
        if (elapsedMs <= 0)
        {
            return 0;
        }
        final long capacity = table.capacity();
        final long due = elapsedMs * capacity / fullSweepMs;
        if (due == 0)
        {
            return 0; // a small table: wait until at least one entry is due
        }
        final int slice = (int)Math.min(due, MAX_SLICE);
        // a capped slice covers only part of the elapsed time; the rest stays due for the next cycle
        final long coveredMs = slice == due ? elapsedMs : Math.max(1, slice * fullSweepMs / capacity);
        if (!sweptUntilMs.compareAndSet(until, until + coveredMs))
        {
            return 0; // another worker took this slice
        }
        final int start = (int)(cursor.getAndAdd(slice) % capacity);
        return table.sweepFrom(nowMs, start, slice);
    }
}
