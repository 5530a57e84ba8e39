package dev.wharf.dataplane.trace;

import org.jctools.queues.MpscArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request to trace the next {@code count} packets (optionally only those arriving on one port),
 * shared by every worker. Workers claim packets from it at receive time and hand finished records
 * back through a bounded queue, never waiting: a record that finds it full is counted as lost. The
 * queue holds as many records as the trace asks for (up to {@link #MAX_PENDING_RECORDS}), so it fills
 * only when a larger trace is not read while it runs. Thread-safe: many workers complete, the
 * control plane reads ({@link #records()} takes this object's monitor, workers never do).
 */
public final class TraceSession
{
    public static final int ANY_PORT = -1;
    /** Finished records a session keeps for its reader at most; the daemon traces at most 10,000 packets at once. */
    public static final int MAX_PENDING_RECORDS = 16_384;

    private final int portFilter;
    private final AtomicInteger remaining;
    private final AtomicLong sequence = new AtomicLong();
    private final MpscArrayQueue<TraceRecord> completed;
    private final AtomicLong lost = new AtomicLong();
    /** The records taken from {@link #completed} so far; guarded by this object's monitor. */
    private final List<TraceRecord> received = new ArrayList<>();

    public TraceSession(final int count, final int portFilter)
    {
        this(count, portFilter, Math.min(count, MAX_PENDING_RECORDS));
    }

    TraceSession(final int count, final int portFilter, final int queueCapacity)
    {
        if (count <= 0)
        {
            throw new IllegalArgumentException("trace count must be positive: " + count);
        }
        this.remaining = new AtomicInteger(count);
        this.portFilter = portFilter;
        this.completed = new MpscArrayQueue<>(Math.max(2, queueCapacity));
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
        if (!completed.offer(record))
        {
            lost.incrementAndGet();
        }
    }

    /** Finished records that did not fit in the queue. */
    public long lost()
    {
        return lost.get();
    }

    /** The records finished so far, in the order their packets were claimed. */
    public synchronized List<TraceRecord> records()
    {
        TraceRecord record;
        while ((record = completed.poll()) != null)
        {
            received.add(record);
        }
        final List<TraceRecord> list = new ArrayList<>(received);
        list.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return list;
    }
}
