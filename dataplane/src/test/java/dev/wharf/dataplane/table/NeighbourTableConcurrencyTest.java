package dev.wharf.dataplane.table;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Workers learn, ask and look up while another thread removes entries and their slots are claimed
 * again: a lookup must never return a MAC that was not learned for its address, two callers must
 * never both be told to send the same request, and concurrent claims of one address make one entry.
 * Bounded by operation counts, not time.
 */
class NeighbourTableConcurrencyTest
{
    private static final long MAC_BASE = 0x0200_0000_0000L;

    private static long macOf(final int ip)
    {
        return MAC_BASE | (ip & 0xFFFF_FFFFL);
    }

    private static void run(final List<Thread> threads, final AtomicReference<Throwable> failure) throws InterruptedException
    {
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join(120_000);
            assertFalse(thread.isAlive(), thread.getName() + " finished");
        }
        assertNull(failure.get(), () -> "failure: " + failure.get());
    }

    private static Thread thread(final String name, final AtomicReference<Throwable> failure, final Runnable body)
    {
        return new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }, name);
    }

    @Test
    void lookupsNeverSeeAnotherAddressesMacWhileSlotsAreRemovedAndReused() throws Exception
    {
        final NeighbourTable table = new NeighbourTable(64);
        final int hosts = 100; // more than the 64 slots: claims fail, entries are removed and slots change hands all the time
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger running = new AtomicInteger(3);
        final AtomicLong expiredMs = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++)
        {
            final int worker = w;
            threads.add(thread("neighbour-learner-" + w, failure, () ->
            {
                for (int round = 0; round < 2_000; round++)
                {
                    for (int h = 0; h < hosts; h++)
                    {
                        final int ip = 0x0A00_0001 + (worker == 0 ? h : hosts - 1 - h);
                        if ((h & 3) == 0)
                        {
                            table.shouldProbe(ip, round);
                        }
                        else
                        {
                            table.learn(ip, macOf(ip), 0); // learned at time 0: dead at once for the expirer
                        }
                    }
                }
                running.decrementAndGet();
            }));
        }
        threads.add(thread("neighbour-expirer", failure, () ->
        {
            long nowMs = NeighbourTable.REACHABLE_MS + NeighbourTable.GC_STALE_MS + 100_000;
            while (running.get() > 1)
            {
                table.expire(nowMs);
                expiredMs.set(nowMs);
                nowMs += NeighbourTable.EXPIRY_INTERVAL_MS;
            }
            running.decrementAndGet();
        }));
        threads.add(thread("neighbour-reader", failure, () ->
        {
            long lookups = 0;
            while (running.get() > 0 || lookups < 100_000)
            {
                for (int h = 0; h < hosts; h++)
                {
                    final int ip = 0x0A00_0001 + h;
                    final long any = table.lookup(ip);
                    final long forwarding = table.lookup(ip, 1_000);
                    if ((any != NeighbourTable.MISSING && any != macOf(ip))
                        || (forwarding != NeighbourTable.MISSING && forwarding != macOf(ip)))
                    {
                        throw new AssertionError("address " + Integer.toHexString(ip) + " read as " + Long.toHexString(any) + " and " +
                            Long.toHexString(forwarding));
                    }
                    lookups++;
                }
            }
        }));

        run(threads, failure);

        final long later = expiredMs.get() + 10_000_000;
        table.expire(later); // everything was learned at 0 and asked for at round numbers: all of it is dead
        final int[] left = new int[1];
        table.forEach(later, (ip, mac, state, updatedMs, probes) -> left[0]++);
        assertEquals(0, left[0], "one pass removes every dead entry, duplicates from races included");
        for (int h = 0; h < 48; h++)
        {
            table.learn(0x0A00_0001 + h, macOf(0x0A00_0001 + h), later);
        }
        final Map<Integer, Long> listed = new HashMap<>();
        table.forEach((ip, mac, updatedMs) -> assertNull(listed.put(ip, mac), "listed once"));
        assertEquals(48, listed.size());
        for (int h = 0; h < 48; h++)
        {
            assertEquals(macOf(0x0A00_0001 + h), table.lookup(0x0A00_0001 + h, later));
        }
    }

    @Test
    void ofTwoCallersOnlyOneSendsEachRequest() throws Exception
    {
        final NeighbourTable table = new NeighbourTable(64);
        final int ip = 0x0A00_0102;
        final int steps = 2_000;
        final CyclicBarrier barrier = new CyclicBarrier(2);
        final AtomicInteger[] refreshes = new AtomicInteger[steps];
        final AtomicInteger[] probes = new AtomicInteger[steps];
        for (int s = 0; s < steps; s++)
        {
            refreshes[s] = new AtomicInteger();
            probes[s] = new AtomicInteger();
        }
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++)
        {
            final int worker = w;
            threads.add(thread("neighbour-worker-" + w, failure, () ->
            {
                try
                {
                    for (int s = 0; s < steps; s++)
                    {
                        final long learnedMs = s * 100_000L;
                        final int unknown = 0x0B00_0000 + s;
                        if (worker == 0)
                        {
                            table.learn(ip, macOf(ip), learnedMs);
                        }
                        barrier.await();
                        final long staleMs = learnedMs + NeighbourTable.REACHABLE_MS;
                        if (table.needsRefresh(ip, staleMs))
                        {
                            refreshes[s].incrementAndGet();
                        }
                        if (table.shouldProbe(unknown, staleMs))
                        {
                            probes[s].incrementAndGet();
                        }
                        final long found = table.lookup(ip, staleMs);
                        if (found == NeighbourTable.MISSING || !NeighbourTable.isStale(found) || NeighbourTable.mac(found) != macOf(ip))
                        {
                            throw new AssertionError("step " + s + ": read " + Long.toHexString(found));
                        }
                        barrier.await();
                        if (worker == 0)
                        {
                            table.expire(staleMs + NeighbourTable.GC_STALE_MS * 2); // the unknown addresses go, the slots come back
                        }
                        barrier.await();
                    }
                }
                catch (final Exception e)
                {
                    throw new IllegalStateException(e);
                }
            }));
        }

        run(threads, failure);

        for (int s = 0; s < steps; s++)
        {
            assertEquals(1, refreshes[s].get(), "refresh requests at step " + s);
            assertEquals(1, probes[s].get(), "broadcast requests at step " + s);
        }
    }

    @Test
    void concurrentClaimsOfTheSameAddressesMakeOneEntryEach() throws Exception
    {
        final NeighbourTable table = new NeighbourTable(4_096);
        final int hosts = 1_500;
        final CyclicBarrier start = new CyclicBarrier(2);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++)
        {
            final int worker = w;
            threads.add(thread("neighbour-claimer-" + w, failure, () ->
            {
                try
                {
                    start.await();
                }
                catch (final Exception e)
                {
                    throw new IllegalStateException(e);
                }
                for (int h = 0; h < hosts; h++)
                {
                    final int ip = 0x0A01_0000 + h;
                    if (worker == 0)
                    {
                        table.learn(ip, macOf(ip), 1_000);
                    }
                    else
                    {
                        table.shouldProbe(ip, 1_000);
                    }
                }
            }));
        }

        run(threads, failure);

        final Map<Integer, Long> listed = new HashMap<>();
        table.forEach(1_000, (ip, mac, state, updatedMs, probes) -> assertNull(listed.put(ip, mac), "one entry for " + ip));
        assertEquals(hosts, listed.size());
        for (int h = 0; h < hosts; h++)
        {
            final int ip = 0x0A01_0000 + h;
            assertEquals(macOf(ip), table.lookup(ip, 1_000), "learned " + h);
        }
    }
}
