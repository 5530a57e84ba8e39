package dev.wharf.dataplane.worker;

/** Milliseconds from an arbitrary origin that never goes back; what FDB ages and timeouts are measured in. */
public final class MonotonicClock
{
    private MonotonicClock()
    {
    }

    public static long nowMs()
    {
        return System.nanoTime() / 1_000_000;
    }
}
