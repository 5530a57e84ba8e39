package dev.wharf.dataplane.table;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers learn and look up concurrently while the control plane expires and moves entries: the
 * lock-free paths must never lose an entry, never report a port nobody wrote, and leave the sizes
 * consistent. Bounded by operation counts, not time.
 */
class FdbTableConcurrencyTest
{
    private static final int WORKERS = 4;
    private static final int MACS_PER_WORKER = 20_000;
    private static final int MAX_PORTS = 64;

    @Test
    void concurrentLearnersAndReadersLoseNothing() throws Exception
    {
        final FdbTable fdb = new FdbTable(WORKERS * MACS_PER_WORKER + 1_000, MAX_PORTS);
        final long stable = 0x0200_0000_0000L;
        for (int i = 0; i < 500; i++)
        {
            fdb.learn(stable | i, 0, 63, 0, Integer.MAX_VALUE); // seen by readers throughout, across every rebuild
        }
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong lookups = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++)
        {
            final int worker = w;
            threads.add(new Thread(() ->
            {
                try
                {
                    start.await();
                    final long base = 0x0266_0000_0000L | ((long)worker << 24);
                    for (int i = 0; i < MACS_PER_WORKER; i++)
                    {
                        final int result = fdb.learn(base | i, worker, worker, i, Integer.MAX_VALUE);
                        if (result != FdbTable.LEARNED)
                        {
                            throw new AssertionError("worker " + worker + " mac " + i + " result " + result);
                        }
                        if (fdb.learn(base | i, worker, worker, i + 1, Integer.MAX_VALUE) != FdbTable.REFRESHED)
                        {
                            throw new AssertionError("refresh of " + i);
                        }
                        final int back = i - (i % 97);
                        if (fdb.lookup(base | back, worker) != worker)
                        {
                            throw new AssertionError("worker " + worker + " lost its own mac " + back + " while learning " + i);
                        }
                        final int s = fdb.lookup(stable | (i % 500), 0);
                        if (s != 63)
                        {
                            throw new AssertionError("stable entry " + (i % 500) + " read as " + s);
                        }
                        lookups.addAndGet(2);
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "fdb-worker-" + w));
        }
        final Thread reader = new Thread(() ->
        {
            try
            {
                start.await();
                for (int round = 0; round < 200_000; round++)
                {
                    final int worker = round % WORKERS;
                    final int port = fdb.lookup(0x0266_0000_0000L | ((long)worker << 24) | (round % MACS_PER_WORKER), worker);
                    if (port != -1 && port != worker)
                    {
                        throw new AssertionError("read port " + port + " for worker " + worker + "'s mac");
                    }
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }, "fdb-reader");
        threads.add(reader);
        threads.forEach(Thread::start);
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join(120_000);
            assertTrue(!thread.isAlive(), thread.getName() + " finished");
        }

        assertNull(failure.get(), () -> "failure: " + failure.get());
        assertEquals(WORKERS * MACS_PER_WORKER + 500, fdb.size());
        for (int w = 0; w < WORKERS; w++)
        {
            assertEquals(MACS_PER_WORKER, fdb.learnedOn(w));
            final long base = 0x0266_0000_0000L | ((long)w << 24);
            for (int i = 0; i < MACS_PER_WORKER; i++)
            {
                assertEquals(w, fdb.lookup(base | i, w), "worker " + w + " mac " + i);
            }
        }
        assertEquals(fdb.size(), fdb.entries(0).size());
        assertTrue(lookups.get() > 0);
    }

    @Test
    void expiryAndMovesOnTheControlThreadRaceWithLearningWithoutCorruptingCounts() throws Exception
    {
        final FdbTable fdb = new FdbTable(10_000, MAX_PORTS);
        final int hosts = 2_000;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++)
        {
            final int worker = w;
            threads.add(new Thread(() ->
            {
                try
                {
                    start.await();
                    for (int round = 0; round < 100; round++)
                    {
                        for (int h = 0; h < hosts; h++)
                        {
                            // both workers see every host, each on its own port: the MAC moves back and forth
                            final int result = fdb.learn(0x0266_0000_0000L | h, 0, worker, round, Integer.MAX_VALUE);
                            if (result == FdbTable.LIMIT_REACHED || result == FdbTable.TABLE_FULL || result == FdbTable.STATIC_CONFLICT)
                            {
                                throw new AssertionError("unexpected result " + result);
                            }
                            final int port = fdb.lookup(0x0266_0000_0000L | h, 0);
                            if (port != -1 && port != 0 && port != 1)
                            {
                                throw new AssertionError("port " + port);
                            }
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "fdb-mover-" + w));
        }
        threads.add(new Thread(() ->
        {
            try
            {
                start.await();
                for (int i = 0; i < 2_000; i++)
                {
                    fdb.expire(i / 20, 3);
                    if (fdb.size() > hosts)
                    {
                        throw new AssertionError("size " + fdb.size());
                    }
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }, "fdb-expirer"));
        threads.forEach(Thread::start);
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join(120_000);
            assertTrue(!thread.isAlive(), thread.getName() + " finished");
        }

        assertNull(failure.get(), () -> "failure: " + failure.get());
        assertEquals(fdb.size(), fdb.learnedOn(0) + fdb.learnedOn(1), "per-port counts match the entries");
        assertEquals(fdb.size(), fdb.entries(0).size());
        for (int h = 0; h < hosts; h++)
        {
            fdb.learn(0x0266_0000_0000L | h, 0, 5, 1_000, Integer.MAX_VALUE);
        }
        assertEquals(hosts, fdb.size());
        assertEquals(hosts, fdb.learnedOn(5));
        assertEquals(0, fdb.learnedOn(0) + fdb.learnedOn(1));
    }
}
