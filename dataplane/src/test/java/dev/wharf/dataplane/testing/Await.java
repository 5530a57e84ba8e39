package dev.wharf.dataplane.testing;

import java.util.function.BooleanSupplier;

/** A bounded wait for tests of running workers: ends as soon as the condition holds, fails past the bound; never a timed assertion. */
public final class Await
{
    private Await()
    {
    }

    /** Polls {@code condition} every millisecond until it holds; an AssertionError naming {@code what} after {@code boundMs}. */
    public static void until(final BooleanSupplier condition, final long boundMs, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + boundMs * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not reached within " + boundMs + " ms: " + what);
            }
            Thread.sleep(1);
        }
    }
}
