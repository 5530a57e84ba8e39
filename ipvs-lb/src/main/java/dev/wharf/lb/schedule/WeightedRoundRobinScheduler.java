package dev.wharf.lb.schedule;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code wrr}: weighted round robin over a precomputed cycle walked by one shared atomic cursor, so it is
 * lock-free and every worker's picks together follow the cycle.
 *
 * <p>The cycle holds the weights divided by their gcd, in {@link WeightedSequence}'s smooth order (2:1:1 is
 * A B A C): over every whole cycle each backend's share is exact. The cycle is bounded by
 * {@link #MAX_CYCLE} (1 MB of {@code int}s at most, built once per change): weights whose reduced sum is
 * larger (thousands of backends of large coprime weights) are shared out over {@link #MAX_CYCLE} turns by
 * largest remainder, each backend then within one turn in 262,144 of its exact share and keeping at least
 * one turn. IPVS's own wrr walks a (server, current weight) pair under a lock and sends a backend's
 * turns back to back (A A B C); this one interleaves them and never locks.
 */
final class WeightedRoundRobinScheduler implements Scheduler
{
    static final int MAX_CYCLE = 1 << 18;

    private final List<BackendWeight> backends;
    private final int[] cycle;
    private final AtomicLong cursor = new AtomicLong();

    WeightedRoundRobinScheduler(final List<BackendWeight> backends)
    {
        this.backends = backends;
        this.cycle = WeightedSequence.layout(
            WeightedSequence.apportion(Schedulers.weights(backends), MAX_CYCLE, false, true));
    }

    @Override
    public int pick(final int clientAddress, final int clientPort, final long flowHash, final BackendLoad load)
    {
        final int[] cycle = this.cycle;
        if (cycle.length == 0)
        {
            return NONE;
        }
        return cycle[(int)Long.remainderUnsigned(cursor.getAndIncrement(), cycle.length)];
    }

    /** Turns in one whole cycle. */
    int cycleLength()
    {
        return cycle.length;
    }

    @Override
    public String name()
    {
        return "wrr";
    }

    @Override
    public List<BackendWeight> backends()
    {
        return backends;
    }
}
