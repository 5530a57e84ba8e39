package dev.wharf.lb.schedule;

import java.util.List;

/**
 * {@code mh}: Maglev hashing. The client's hash (its address, and its port with
 * {@link SchedulerOptions#hashSourcePort}) picks one of the table's M slots, which names the backend: one
 * multiply and one load per new flow. The table is built by {@link MaglevTable} when the scheduler is;
 * {@link Schedulers#rebuildWithout} and {@link Schedulers#rebuild} keep the survivors' slots on removal.
 * Memory: a {@code char} per slot, 131,074 bytes for the default M of 65,537.
 */
final class MaglevScheduler implements Scheduler
{
    private final List<BackendWeight> backends;
    private final SchedulerOptions options;
    private final boolean hashSourcePort;
    private final char[] table;

    MaglevScheduler(final List<BackendWeight> backends, final SchedulerOptions options, final char[] table)
    {
        this.backends = backends;
        this.options = options;
        this.hashSourcePort = options.hashSourcePort();
        this.table = table;
    }

    @Override
    public int pick(final int clientAddress, final int clientPort, final long flowHash, final BackendLoad load)
    {
        final char[] table = this.table;
        if (table.length == 0)
        {
            return NONE;
        }
        return table[ClientHash.reduce(ClientHash.of(clientAddress, clientPort, hashSourcePort), table.length)];
    }

    SchedulerOptions options()
    {
        return options;
    }

    /** The lookup table, for rebuilds and tests only: never to be written. */
    char[] table()
    {
        return table;
    }

    @Override
    public String name()
    {
        return "mh";
    }

    @Override
    public List<BackendWeight> backends()
    {
        return backends;
    }
}
