package dev.wharf.lb.schedule;

import java.util.List;

/**
 * {@code wlc}: the backend of positive weight with the fewest connections per unit of weight, compared as
 * {@code connections_a * weight_b < connections_b * weight_a} so no division runs per backend; the first
 * in list order on a tie. Weight 0 is never chosen. Products stay exact below 2^47 connections.
 */
final class WeightedLeastConnectionScheduler implements Scheduler
{
    private final List<BackendWeight> backends;
    private final int[] candidates;
    private final long[] weights;

    WeightedLeastConnectionScheduler(final List<BackendWeight> backends)
    {
        this.backends = backends;
        this.candidates = Schedulers.positiveWeights(backends);
        this.weights = new long[candidates.length];
        for (int c = 0; c < candidates.length; c++)
        {
            weights[c] = backends.get(candidates[c]).weight();
        }
    }

    @Override
    public int pick(final int clientAddress, final int clientPort, final long flowHash, final BackendLoad load)
    {
        final int[] candidates = this.candidates;
        final long[] weights = this.weights;
        if (candidates.length == 0)
        {
            return NONE;
        }
        int best = candidates[0];
        long bestConnections = load.connections(best);
        long bestWeight = weights[0];
        for (int c = 1; c < candidates.length; c++)
        {
            final int i = candidates[c];
            final long connections = load.connections(i);
            if (connections * bestWeight < bestConnections * weights[c])
            {
                best = i;
                bestConnections = connections;
                bestWeight = weights[c];
            }
        }
        return best;
    }

    @Override
    public String name()
    {
        return "wlc";
    }

    @Override
    public List<BackendWeight> backends()
    {
        return backends;
    }
}
