package dev.wharf.dataplane.graph;

/**
 * One worker's counters: plain {@code long}s written only by that worker, summed across workers
 * only when read (a scrape, the CLI). Readers on other threads may see a value a moment old.
 */
public final class WorkerCounters
{
    private final long[] values;

    public WorkerCounters(final CounterLayout layout)
    {
        this.values = new long[layout.size()];
    }

    public void increment(final int counter)
    {
        values[counter]++;
    }

    public void add(final int counter, final long delta)
    {
        values[counter] += delta;
    }

    /** Read from any thread. */
    public long get(final int counter)
    {
        return values[counter];
    }
}
