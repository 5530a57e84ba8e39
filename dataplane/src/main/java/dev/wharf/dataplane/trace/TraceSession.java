package dev.wharf.dataplane.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request to trace the next {@code count} packets (optionally only those arriving on one port),
 * shared by every worker. Workers claim packets from it at receive time and hand finished records
 * back; the control plane reads them. Thread-safe.
 */
public final class TraceSession
{
    public static final int ANY_PORT = -1;

    private final int portFilter;
    private final AtomicInteger remaining;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedQueue<TraceRecord> records = new ConcurrentLinkedQueue<>();

    public TraceSession(final int count, final int portFilter)
    {
        if (count <= 0)
        {
            throw new IllegalArgumentException("trace count must be positive: " + count);
        }
        this.remaining = new AtomicInteger(count);
        this.portFilter = portFilter;
    }

    /** True when a packet from {@code port} should be traced; counts it against the budget. */
    public boolean claim(final int port)
    {
        if (portFilter != ANY_PORT && port != portFilter)
        {
            return false;
        }
        while (true)
        {
            final int left = remaining.get();
            if (left <= 0)
            {
                return false;
            }
            if (remaining.compareAndSet(left, left - 1))
            {
                return true;
            }
        }
    }

    public boolean exhausted()
    {
        return remaining.get() <= 0;
    }

    public int remaining()
    {
        return Math.max(0, remaining.get());
    }

    long nextSequence()
    {
        return sequence.incrementAndGet();
    }

    void complete(final TraceRecord record)
    {
        records.add(record);
    }

    /** The records finished so far, in completion order. */
    public List<TraceRecord> records()
    {
        final List<TraceRecord> list = new ArrayList<>(records);
        list.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return list;
    }
}
