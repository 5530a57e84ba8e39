package dev.wharf.lb.schedule;

import java.util.List;

/**
 * {@code sh}: source hashing. A table of 2^b slots, each naming a backend, shared out by weight (largest
 * remainder, every backend of positive weight at least one slot) in {@link WeightedSequence}'s smooth
 * order; a client's hash (its address, and its port with {@link SchedulerOptions#hashSourcePort}) picks
 * the slot. The same client gets the same backend for as long as the backends and weights are unchanged;
 * any change rebuilds the table and may move clients, as IPVS's sh does (use {@code mh} to move few).
 *
 * <p>A backend of weight 0 holds no slot, so its clients fall to the backends next to it in the table
 * order, never to it. The table has 64 slots per weighted backend, at least 4,096 and at most 2^20: an
 * exact weight share is then within one slot in 4,096 or more.
 */
final class SourceHashScheduler implements Scheduler
{
    static final int MIN_SLOTS_LOG2 = 12;
    static final int MAX_SLOTS_LOG2 = 20;
    static final int SLOTS_PER_BACKEND = 64;

    private final List<BackendWeight> backends;
    private final SchedulerOptions options;
    private final boolean hashSourcePort;
    private final char[] table;
    private final int shift;

    SourceHashScheduler(final List<BackendWeight> backends, final SchedulerOptions options)
    {
        this.backends = backends;
        this.options = options;
        this.hashSourcePort = options.hashSourcePort();
        final int[] weights = Schedulers.weights(backends);
        final int positive = Schedulers.positiveWeights(backends).length;
        final int wanted = 64 - Long.numberOfLeadingZeros(Math.max(1L, (long)positive * SLOTS_PER_BACKEND - 1));
        final int bits = Math.min(MAX_SLOTS_LOG2, Math.max(MIN_SLOTS_LOG2, wanted));
        if (positive == 0)
        {
            this.table = new char[0];
            this.shift = 64;
            return;
        }
        final int[] order = WeightedSequence.layout(WeightedSequence.apportion(weights, 1 << bits, true, true));
        this.table = new char[order.length];
        for (int s = 0; s < order.length; s++)
        {
            table[s] = (char)order[s];
        }
        this.shift = 64 - bits;
    }

    @Override
    public int pick(final int clientAddress, final int clientPort, final long flowHash, final BackendLoad load)
    {
        final char[] table = this.table;
        if (table.length == 0)
        {
            return NONE;
        }
        return table[(int)(ClientHash.of(clientAddress, clientPort, hashSourcePort) >>> shift)];
    }

    SchedulerOptions options()
    {
        return options;
    }

    /** Slots in the table. */
    int tableSize()
    {
        return table.length;
    }

    @Override
    public String name()
    {
        return "sh";
    }

    @Override
    public List<BackendWeight> backends()
    {
        return backends;
    }
}
