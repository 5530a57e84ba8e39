package dev.wharf.lb;

import dev.wharf.lb.schedule.BackendLoad;
import dev.wharf.lb.schedule.Scheduler;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One virtual service as the workers see it: its scheduler and, by the scheduler's backend index, each
 * backend's address, port and mark. Immutable; replaced whole when the service changes.
 */
final class ServiceEntry implements BackendLoad
{
    final ServiceKey key;
    /** The service's label, "" for none (traces name it). */
    final String name;
    final Scheduler scheduler;
    final int[] address;
    final int[] port;
    final int[] mark;
    /** By backend index: a persistent client pinned to it may still go to it (not draining). */
    final boolean[] pinnable;
    /** The service's client affinity, or null when it is not persistent. */
    final PersistenceTable persistence;
    /** Direct server return: flows are routed to the backend unchanged. */
    final boolean routed;
    private final AtomicLongArray connections;

    ServiceEntry(
        final ServiceKey key, final String name, final Scheduler scheduler, final int[] mark, final boolean[] pinnable,
        final PersistenceTable persistence, final boolean routed, final AtomicLongArray connections)
    {
        this.routed = routed;
        this.key = key;
        this.name = name;
        this.scheduler = scheduler;
        final int n = scheduler.backends().size();
        this.address = new int[n];
        this.port = new int[n];
        for (int b = 0; b < n; b++)
        {
            address[b] = scheduler.backends().get(b).address();
            port[b] = scheduler.backends().get(b).port();
        }
        this.mark = mark.clone();
        this.pinnable = pinnable.clone();
        this.persistence = persistence;
        this.connections = connections;
    }

    /** The index of the backend with {@code mark}, or -1 (it is gone). */
    int indexOf(final int mark)
    {
        final int[] marks = this.mark;
        for (int b = 0; b < marks.length; b++)
        {
            if (marks[b] == mark)
            {
                return b;
            }
        }
        return -1;
    }

    /** lc and wlc: the connections backend {@code index} holds now, by its mark's counter. */
    @Override
    public long connections(final int index)
    {
        return Math.max(0, connections.getOpaque(mark[index]));
    }
}
