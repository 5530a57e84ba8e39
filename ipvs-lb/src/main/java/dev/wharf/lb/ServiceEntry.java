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
    /** An active connection weighs this many inactive ones in a backend's load (IPVS's ip_vs_dest_conn_overhead). */
    static final int ACTIVE_WEIGHT = 256;
    private final AtomicLongArray connections;
    private final AtomicLongArray active;

    ServiceEntry(
        final ServiceKey key, final String name, final Scheduler scheduler, final int[] mark, final boolean[] pinnable,
        final PersistenceTable persistence, final boolean routed, final AtomicLongArray connections, final AtomicLongArray active)
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
        this.active = active;
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

    /**
     * lc and wlc: backend {@code index}'s load now, by its mark's counters, as IPVS weighs it: an active (established)
     * connection counts {@link #ACTIVE_WEIGHT} times, a closed or opening one (TIME_WAIT, SYN_SENT, UDP) once, so that
     * a backend that only finished short connections stays the least loaded beside one holding long ones.
     */
    @Override
    public long connections(final int index)
    {
        final int m = mark[index];
        final long tracked = Math.max(0, connections.getOpaque(m));
        final long established = Math.min(tracked, Math.max(0, active.getOpaque(m)));
        return established * ACTIVE_WEIGHT + (tracked - established);
    }
}
