package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.table.FdbTable;
import org.agrona.CloseHelper;

import java.util.ArrayList;
import java.util.List;

/**
 * Detached ports that a worker may still be using (an epoch scheme): each waits here with the version of
 * the snapshot that removed it until every worker has reported that version or a later one, which a worker
 * does only after it has finished the duty cycle of an older snapshot. Only then are the FDB entries a late
 * worker may have learned on it forgotten and the port closed (its descriptors, rings and buffer pools
 * released). There is no timeout: a worker that is late, however late, delays the close and nothing else.
 *
 * <p>While a port waits here its id is not handed out again, so neither the FDB nor the counters can
 * confuse it with a port attached later. Thread safety: every method is synchronized; the control plane
 * (detach, attach, close) and the dataplane's housekeeping thread call them.
 */
final class PortRetirement
{
    private record Retiring(PortBinding binding, FdbTable fdb, long version)
    {
    }

    private final List<Retiring> retiring = new ArrayList<>();

    /** Holds {@code binding}, removed from the dataplane by the snapshot of {@code version}, until the workers have all moved past it. */
    synchronized void retire(final PortBinding binding, final FdbTable fdb, final long version)
    {
        retiring.add(new Retiring(binding, fdb, version));
    }

    /**
     * Closes every port removed at or before {@code versionSeenByAll}, the lowest snapshot version that every
     * worker has reported (read before this call).
     *
     * @return ports closed.
     */
    synchronized int reclaim(final long versionSeenByAll)
    {
        int closed = 0;
        for (int i = retiring.size() - 1; i >= 0; i--)
        {
            final Retiring entry = retiring.get(i);
            if (entry.version <= versionSeenByAll)
            {
                retiring.remove(i);
                release(entry);
                closed++;
            }
        }
        return closed;
    }

    /** Closes every port still waiting, once no worker runs any more (the dataplane's close). */
    synchronized int closeAll()
    {
        final int count = retiring.size();
        for (final Retiring entry : retiring)
        {
            release(entry);
        }
        retiring.clear();
        return count;
    }

    /** True while the port of this id waits to be closed. */
    synchronized boolean holds(final int portId)
    {
        for (final Retiring entry : retiring)
        {
            if (entry.binding.id == portId)
            {
                return true;
            }
        }
        return false;
    }

    /** Ports waiting to be closed. */
    synchronized int size()
    {
        return retiring.size();
    }

    private static void release(final Retiring entry)
    {
        // a worker on the old snapshot may have learned on the port after the detach flushed it once
        if (entry.fdb != null) // null for a device port, which is in no network
        {
            entry.fdb.flushPort(entry.binding.id);
        }
        CloseHelper.quietClose(entry.binding.port);
    }
}
