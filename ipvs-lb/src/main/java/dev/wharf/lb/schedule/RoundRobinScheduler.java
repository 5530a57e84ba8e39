package dev.wharf.lb.schedule;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code rr}: strict rotation over the backends of positive weight, whatever their weights. One cursor
 * shared by every worker (an atomic increment per new flow), so N picks over k backends give each exactly
 * N/k even when several workers pick at once.
 */
final class RoundRobinScheduler implements Scheduler
{
    private final List<BackendWeight> backends;
    /** Indices of the backends of positive weight, in list order. */
    private final int[] rotation;
    private final AtomicLong cursor = new AtomicLong();

    RoundRobinScheduler(final List<BackendWeight> backends)
    {
        this.backends = backends;
        this.rotation = Schedulers.positiveWeights(backends);
    }

    @Override
    public int pick(final int clientAddress, final int clientPort, final long flowHash, final BackendLoad load)
    {
        final int[] rotation = this.rotation;
        if (rotation.length == 0)
        {
            return NONE;
        }
        return rotation[(int)Long.remainderUnsigned(cursor.getAndIncrement(), rotation.length)];
    }

    @Override
    public String name()
    {
        return "rr";
    }

    @Override
    public List<BackendWeight> backends()
    {
        return backends;
    }
}
