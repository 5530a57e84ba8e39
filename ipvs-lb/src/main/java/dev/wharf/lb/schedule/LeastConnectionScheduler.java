package dev.wharf.lb.schedule;

import java.util.List;

/**
 * {@code lc}: the backend of positive weight with the fewest connections, the first in list order on a
 * tie (IPVS's lc, its overhead being the connection count {@link BackendLoad} gives). Weights other than
 * 0 do not count; {@code wlc} weighs them. One pass over the backends per new flow.
 */
final class LeastConnectionScheduler implements Scheduler
{
    private final List<BackendWeight> backends;
    private final int[] candidates;

    LeastConnectionScheduler(final List<BackendWeight> backends)
    {
        this.backends = backends;
        this.candidates = Schedulers.positiveWeights(backends);
    }

    @Override
    public int pick(final int clientAddress, final int clientPort, final long flowHash, final BackendLoad load)
    {
        final int[] candidates = this.candidates;
        int best = NONE;
        long least = Long.MAX_VALUE;
        for (final int i : candidates)
        {
            final long connections = load.connections(i);
            if (connections < least)
            {
                least = connections;
                best = i;
            }
        }
        return best;
    }

    @Override
    public String name()
    {
        return "lc";
    }

    @Override
    public List<BackendWeight> backends()
    {
        return backends;
    }
}
