package dev.wharf.lb.schedule;

/**
 * Settings of a service's scheduler beyond its name and backends.
 *
 * @param maglevTableSize {@code mh}'s lookup table size M: a prime in {@link #MIN_MAGLEV_TABLE_SIZE}..
 *                        {@link #MAX_MAGLEV_TABLE_SIZE}, and at least the number of backends of positive
 *                        weight (checked at build). The Maglev paper keeps M above 100 times the number
 *                        of backends for shares within about 1% of each other; 65,537 by default.
 * @param hashSourcePort  {@code sh} and {@code mh} hash the client's port with its address (IPVS's
 *                        {@code sh-port} and {@code mh-port} flags): flows of one client spread over the
 *                        backends instead of sharing one.
 */
public record SchedulerOptions(int maglevTableSize, boolean hashSourcePort)
{
    public static final int MAGLEV_TABLE_SIZE_DEFAULT = 65_537;
    /** Below it a table cannot spread even a handful of backends evenly. */
    public static final int MIN_MAGLEV_TABLE_SIZE = 101;
    /** The largest prime below 2^24: 32 MB of build state at most, a lookup table of 32 MB at most. */
    public static final int MAX_MAGLEV_TABLE_SIZE = 16_777_213;

    public static final SchedulerOptions DEFAULT = new SchedulerOptions(MAGLEV_TABLE_SIZE_DEFAULT, false);

    public SchedulerOptions
    {
        if (maglevTableSize < MIN_MAGLEV_TABLE_SIZE || maglevTableSize > MAX_MAGLEV_TABLE_SIZE)
        {
            throw new IllegalArgumentException("Maglev table size must be a prime in " + MIN_MAGLEV_TABLE_SIZE + ".." +
                MAX_MAGLEV_TABLE_SIZE + ": " + maglevTableSize);
        }
        if (!isPrime(maglevTableSize))
        {
            throw new IllegalArgumentException("Maglev table size must be prime (so every backend's permutation " +
                "visits every slot), " + maglevTableSize + " is not; 65537 and 655373 are");
        }
    }

    public SchedulerOptions withMaglevTableSize(final int size)
    {
        return new SchedulerOptions(size, hashSourcePort);
    }

    public SchedulerOptions withHashSourcePort(final boolean hash)
    {
        return new SchedulerOptions(maglevTableSize, hash);
    }

    static boolean isPrime(final int n)
    {
        if (n < 2)
        {
            return false;
        }
        if (n % 2 == 0)
        {
            return n == 2;
        }
        for (int d = 3; (long)d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }
        return true;
    }
}
