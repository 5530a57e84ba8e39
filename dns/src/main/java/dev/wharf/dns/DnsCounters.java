package dev.wharf.dns;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** The DNS server's counters, by name; written by the punt thread and the upstream reader, read by anyone. */
public final class DnsCounters
{
    /** What is counted; {@link #label} is the name listings and metrics use. */
    public enum Counter
    {
        QUERIES,
        ANSWERED_LOCAL,
        NXDOMAIN,
        FORWARDED,
        CACHE_HITS,
        UPSTREAM_ANSWERS,
        SERVFAIL,
        REFUSED,
        FORMERR,
        TRUNCATED,
        /** Not DNS at all, or a UDP header that does not add up: dropped without an answer. */
        MALFORMED_DROPPED,
        RATE_LIMITED,
        INJECT_QUEUE_FULL,
        UPSTREAM_TIMEOUTS,
        UPSTREAM_PENDING_FULL,
        /** Connections opened over TCP (for answers too large for UDP). */
        TCP_CONNECTIONS,
        /** SYNs refused with a reset: as many connections open as the server keeps. */
        TCP_REFUSED;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final AtomicLongArray values = new AtomicLongArray(Counter.values().length);

    void increment(final Counter counter)
    {
        values.incrementAndGet(counter.ordinal());
    }

    public long get(final Counter counter)
    {
        return values.get(counter.ordinal());
    }

    public Map<Counter, Long> snapshot()
    {
        final Map<Counter, Long> copy = new EnumMap<>(Counter.class);
        for (final Counter counter : Counter.values())
        {
            copy.put(counter, get(counter));
        }
        return copy;
    }
}
