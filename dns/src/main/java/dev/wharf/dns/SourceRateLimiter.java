package dev.wharf.dns;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * A token bucket per query source (network and client address): {@code rate} queries a second, bursts of twice
 * that, so one container's flood is refused without taking the server from its neighbours (BIND's and dnsdist's
 * response rate limiting, simplified). Bounded: past {@link #MAX_SOURCES} sources the buckets start again empty of
 * history, which only forgives. Punt thread only.
 */
final class SourceRateLimiter
{
    static final int MAX_SOURCES = 8192;

    private static final class Bucket
    {
        double tokens;
        long lastMs;
    }

    private final int rate;
    private final Long2ObjectHashMap<Bucket> buckets = new Long2ObjectHashMap<>();

    /** @param rate queries per second per source; 0 turns limiting off. */
    SourceRateLimiter(final int rate)
    {
        if (rate < 0)
        {
            throw new IllegalArgumentException("rate must be >= 0: " + rate);
        }
        this.rate = rate;
    }

    /** True when a query from {@code network}/{@code source} at {@code nowMs} may be answered. */
    boolean admit(final int network, final int source, final long nowMs)
    {
        if (rate == 0)
        {
            return true;
        }
        final long key = (long)network << 32 | source & 0xFFFF_FFFFL;
        Bucket bucket = buckets.get(key);
        if (bucket == null)
        {
            if (buckets.size() >= MAX_SOURCES)
            {
                buckets.clear();
            }
            bucket = new Bucket();
            bucket.tokens = 2.0 * rate;
            bucket.lastMs = nowMs;
            buckets.put(key, bucket);
        }
        final long elapsed = Math.max(0, nowMs - bucket.lastMs);
        bucket.lastMs = nowMs;
        bucket.tokens = Math.min(2.0 * rate, bucket.tokens + elapsed * rate / 1000.0);
        if (bucket.tokens < 1.0)
        {
            return false;
        }
        bucket.tokens -= 1.0;
        return true;
    }
}
