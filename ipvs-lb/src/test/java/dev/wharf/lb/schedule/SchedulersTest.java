package dev.wharf.lb.schedule;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulersTest
{
    static final int A = 0;
    static final int B = 1;
    static final int C = 2;

    static BackendWeight backend(final int n, final int weight)
    {
        return new BackendWeight(0x0A0A_0000 + n, 8080, weight); // 10.10.0.n:8080
    }

    static List<BackendWeight> backends(final int... weights)
    {
        final List<BackendWeight> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++)
        {
            list.add(backend(11 + i, weights[i]));
        }
        return list;
    }

    static int[] weightsOf(final List<BackendWeight> list)
    {
        return Schedulers.weights(list);
    }

    static Scheduler build(final String name, final int... weights)
    {
        return Schedulers.build(name, backends(weights), SchedulerOptions.DEFAULT);
    }

    static int pick(final Scheduler scheduler, final int client, final BackendLoad load)
    {
        return scheduler.pick(client, 40_000, 0, load);
    }

    static int[] counts(final Scheduler scheduler, final int picks)
    {
        final int[] counts = new int[scheduler.backends().size()];
        for (int p = 0; p < picks; p++)
        {
            counts[pick(scheduler, 0x0A0A_0002, BackendLoad.IDLE)]++;
        }
        return counts;
    }

    /** Picks from two threads started together, each its share, counted per backend. */
    static int[] countsFromTwoThreads(final Scheduler scheduler, final int picksEach) throws InterruptedException
    {
        final int n = scheduler.backends().size();
        final int[][] perThread = new int[2][n];
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++)
        {
            final int[] mine = perThread[t];
            threads[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int p = 0; p < picksEach; p++)
                {
                    mine[scheduler.pick(0x0A0A_0002, 40_000, 0, BackendLoad.IDLE)]++;
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final int[] counts = new int[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = perThread[0][i] + perThread[1][i];
        }
        return counts;
    }

    @Test
    void namesAreIpvssAndEachBuildsItsOwn()
    {
        assertEquals(List.of("rr", "wrr", "lc", "wlc", "sh", "mh"), Schedulers.names());
        for (final String name : Schedulers.names())
        {
            assertEquals(name, build(name, 1, 1).name());
        }
    }

    @Test
    void anUnknownNameIsRefusedSayingWhichAreKnown()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> build("lblc", 1));
        assertTrue(refused.getMessage().contains("'lblc'") && refused.getMessage().contains("rr, wrr, lc, wlc, sh, mh"),
            refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> build(null, 1));
        assertThrows(IllegalArgumentException.class, () -> build("RR", 1));
    }

    @Test
    void badBackendsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new BackendWeight(1, 80, 65_536));
        assertThrows(IllegalArgumentException.class, () -> new BackendWeight(1, 80, -1));
        assertThrows(IllegalArgumentException.class, () -> new BackendWeight(1, 65_536, 1));
        final List<BackendWeight> twice = List.of(backend(11, 1), backend(12, 1), backend(11, 2));
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> Schedulers.build("rr", twice, SchedulerOptions.DEFAULT));
        assertTrue(refused.getMessage().contains("10.10.0.11:8080"), refused.getMessage());
    }

    @Test
    void emptyOrAllQuiescedPicksNone()
    {
        for (final String name : Schedulers.names())
        {
            assertEquals(Scheduler.NONE, pick(build(name), 1, BackendLoad.IDLE), name);
            assertEquals(Scheduler.NONE, pick(build(name, 0, 0, 0), 1, BackendLoad.IDLE), name);
        }
    }

    @Test
    void aQuiescedBackendIsNeverChosenByAny()
    {
        final SplittableRandom random = new SplittableRandom(13);
        final BackendLoad quiescedIsIdle = i -> i == B ? 0 : 1_000;
        for (final String name : Schedulers.names())
        {
            final Scheduler scheduler = build(name, 3, 0, 1);
            for (int p = 0; p < 30_000; p++)
            {
                assertNotEquals(B, scheduler.pick(random.nextInt(), random.nextInt(65_536), random.nextLong(),
                    quiescedIsIdle), name);
            }
        }
    }

    @Test
    void rrIsExactlyEven()
    {
        assertArrayEquals(new int[]{100, 100, 100}, counts(build("rr", 1, 1, 1), 300));
        // weights do not count for rr, but 0 still means never
        assertArrayEquals(new int[]{150, 0, 150}, counts(build("rr", 5, 0, 1), 300));
        final Scheduler rr = build("rr", 1, 1, 1);
        assertEquals(List.of(A, B, C, A, B, C), List.of(pick(rr, 1, null), pick(rr, 1, null), pick(rr, 1, null),
            pick(rr, 1, null), pick(rr, 1, null), pick(rr, 1, null)));
    }

    @Test
    void rrIsExactlyEvenFromTwoThreads() throws InterruptedException
    {
        assertArrayEquals(new int[]{100_000, 100_000, 100_000}, countsFromTwoThreads(build("rr", 1, 1, 1), 150_000));
    }

    @Test
    void wrrInterleaves211AndIsExactOverEveryCycle()
    {
        final Scheduler wrr = build("wrr", 2, 1, 1);
        final List<Integer> firstCycles = new ArrayList<>();
        for (int p = 0; p < 8; p++)
        {
            firstCycles.add(pick(wrr, 1, null));
        }
        assertEquals(List.of(A, B, A, C, A, B, A, C), firstCycles);
        assertArrayEquals(new int[]{2_000, 1_000, 1_000}, counts(build("wrr", 2, 1, 1), 4_000));
        // divided by the gcd: a cycle of 4, not 400
        assertEquals(4, ((WeightedRoundRobinScheduler)build("wrr", 200, 100, 100)).cycleLength());
        assertArrayEquals(new int[]{200, 100, 100}, counts(build("wrr", 200, 100, 100), 400));
    }

    @Test
    void wrrIsExactFromTwoThreads() throws InterruptedException
    {
        assertArrayEquals(new int[]{200_000, 100_000, 100_000}, countsFromTwoThreads(build("wrr", 2, 1, 1), 200_000));
    }

    @Test
    void wrrSpreadsEachBackendsTurnsEvenly()
    {
        // in every window of the repeating cycle a backend has its share within one turn either way
        final int[][] cases = {{2, 1, 1}, {5, 1, 1}, {5, 3, 1}, {7, 7, 2, 1}, {1, 1, 1, 1, 10}};
        for (final int[] weights : cases)
        {
            final Scheduler wrr = build("wrr", weights);
            final int cycle = ((WeightedRoundRobinScheduler)wrr).cycleLength();
            final int[] sequence = new int[2 * cycle];
            for (int p = 0; p < sequence.length; p++)
            {
                sequence[p] = pick(wrr, 1, null);
            }
            for (int i = 0; i < weights.length; i++)
            {
                for (int start = 0; start < cycle; start++)
                {
                    for (int length = 1; length <= cycle; length++)
                    {
                        int seen = 0;
                        for (int p = start; p < start + length; p++)
                        {
                            seen += sequence[p] == i ? 1 : 0;
                        }
                        final double exact = (double)length * weights[i] / cycle;
                        if (Math.abs(seen - exact) >= 2.0)
                        {
                            throw new AssertionError(java.util.Arrays.toString(weights) + " backend " + i +
                                ": window of " + length + " has " + seen + ", exact " + exact);
                        }
                    }
                }
            }
        }
    }

    @Test
    void wrrOfHugeCoprimeWeightsIsBoundedAndWithinOneTurnOfItsShare()
    {
        final int n = 1_000;
        final int[] weights = new int[n];
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            weights[i] = 65_535 - 2 * i; // odd, mostly coprime: the reduced sum is 64 million
            sum += weights[i];
        }
        final Scheduler wrr = build("wrr", weights);
        final int cycle = ((WeightedRoundRobinScheduler)wrr).cycleLength();
        assertEquals(WeightedRoundRobinScheduler.MAX_CYCLE, cycle);
        final int[] counts = counts(wrr, cycle);
        for (int i = 0; i < n; i++)
        {
            final double exact = (double)weights[i] * cycle / sum;
            assertTrue(Math.abs(counts[i] - exact) < 1.0, "backend " + i + ": " + counts[i] + ", exact " + exact);
        }
    }

    @Test
    void lcChoosesTheLeastLoadedTheFirstOnATie()
    {
        final Scheduler lc = build("lc", 1, 1, 1);
        assertEquals(B, pick(lc, 1, i -> new long[]{5, 2, 7}[i]));
        assertEquals(B, pick(lc, 1, i -> new long[]{5, 2, 2}[i]));
        assertEquals(A, pick(lc, 1, i -> 3));
        // weights do not count for lc, except 0
        assertEquals(C, pick(build("lc", 100, 0, 1), 1, i -> new long[]{9, 0, 8}[i]));
    }

    @Test
    void lcPrefersTheIdleBackendWhileLongConnectionsHoldTheOthers()
    {
        final Scheduler lc = build("lc", 1, 1, 1);
        final long[] connections = {0, 0, 0};
        for (int flow = 0; flow < 300; flow++)
        {
            connections[pick(lc, flow, i -> connections[i])]++;
        }
        assertArrayEquals(new long[]{100, 100, 100}, connections);
        connections[A] += 50; // long connections on A and B
        connections[B] += 50;
        for (int flow = 0; flow < 50; flow++)
        {
            assertEquals(C, pick(lc, flow, i -> connections[i]));
            connections[C]++;
        }
    }

    @Test
    void wlcComparesConnectionsPerWeight()
    {
        final Scheduler wlc = build("wlc", 1, 4, 2);
        // 1/1, 3/4, 2/2: B has the least per weight
        assertEquals(B, pick(wlc, 1, i -> new long[]{1, 3, 2}[i]));
        // 2/1, 8/4, 4/2 all equal: the first
        assertEquals(A, pick(wlc, 1, i -> new long[]{2, 8, 4}[i]));
        // weight 0 is never chosen, even idle
        assertEquals(C, pick(build("wlc", 0, 1, 1), 1, i -> new long[]{0, 5, 4}[i]));
        // filled from idle, connections follow the weights 1:4:2
        final long[] connections = {0, 0, 0};
        for (int flow = 0; flow < 700; flow++)
        {
            connections[pick(wlc, flow, i -> connections[i])]++;
        }
        assertArrayEquals(new long[]{100, 400, 200}, connections);
    }

    @Test
    void wlcDoesNotOverflowOnLargeCounts()
    {
        final Scheduler wlc = build("wlc", 65_535, 1);
        // 10^12 / 65535 is about 1.5 * 10^7 per weight, 2 * 10^7 / 1 more
        assertEquals(A, pick(wlc, 1, i -> new long[]{1_000_000_000_000L, 20_000_000L}[i]));
        assertEquals(B, pick(wlc, 1, i -> new long[]{1_000_000_000_000L, 10_000_000L}[i]));
    }

    @Test
    void shSendsAClientToOneBackendAndSpreadsClients()
    {
        final Scheduler sh = build("sh", 1, 1, 1);
        final SplittableRandom random = new SplittableRandom(7);
        final int[] counts = new int[3];
        for (int c = 0; c < 300_000; c++)
        {
            final int client = random.nextInt();
            final int chosen = sh.pick(client, 40_000, random.nextLong(), BackendLoad.IDLE);
            counts[chosen]++;
            // another connection of the client, from another port: the same backend, also from a fresh build
            assertEquals(chosen, sh.pick(client, random.nextInt(65_536), random.nextLong(), BackendLoad.IDLE));
            if (c % 1_000 == 0)
            {
                assertEquals(chosen, pick(build("sh", 1, 1, 1), client, BackendLoad.IDLE));
            }
        }
        for (final int count : counts)
        {
            assertEquals(100_000, count, 2_000);
        }
    }

    @Test
    void shHonoursWeights()
    {
        final Scheduler sh = build("sh", 2, 1, 1);
        final SplittableRandom random = new SplittableRandom(11);
        final int[] counts = new int[3];
        for (int c = 0; c < 400_000; c++)
        {
            counts[pick(sh, random.nextInt(), BackendLoad.IDLE)]++;
        }
        assertEquals(200_000, counts[A], 4_000);
        assertEquals(100_000, counts[B], 3_000);
        assertEquals(100_000, counts[C], 3_000);
    }

    @Test
    void shWithTheSourcePortSpreadsOneClientsConnections()
    {
        final Scheduler sh = Schedulers.build("sh", backends(1, 1, 1), new SchedulerOptions(65_537, true));
        final int[] counts = new int[3];
        for (int port = 1_024; port < 61_024; port++)
        {
            final int chosen = sh.pick(0x0A0A_0002, port, 0, BackendLoad.IDLE);
            counts[chosen]++;
            assertEquals(chosen, sh.pick(0x0A0A_0002, port, 1, BackendLoad.IDLE));
        }
        for (final int count : counts)
        {
            assertEquals(20_000, count, 1_000);
        }
    }

    @Test
    void theOtherSchedulersRebuildWithoutABackendByShiftingIndices()
    {
        final Scheduler rr = Schedulers.rebuildWithout(build("rr", 1, 1, 1), B);
        assertEquals(List.of(backend(11, 1), backend(13, 1)), rr.backends());
        assertArrayEquals(new int[]{150, 150}, counts(rr, 300));
        final Scheduler sh = Schedulers.build("sh", backends(1, 1, 1), new SchedulerOptions(65_537, true));
        final Scheduler shWithout = Schedulers.rebuildWithout(sh, A);
        assertEquals("sh", shWithout.name());
        // still hashing the port: one client's connections reach both
        final int[] counts = new int[2];
        for (int port = 0; port < 1_000; port++)
        {
            counts[shWithout.pick(0x0A0A_0002, port, 0, BackendLoad.IDLE)]++;
        }
        assertTrue(counts[0] > 300 && counts[1] > 300, java.util.Arrays.toString(counts));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.rebuildWithout(rr, 2));
        assertThrows(IllegalArgumentException.class, () -> Schedulers.rebuildWithout(rr, -1));
    }

    @Test
    void picksAllocateNothing()
    {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean counting) || !counting.isThreadAllocatedMemorySupported())
        {
            return;
        }
        final long[] connections = {4, 2, 9};
        final BackendLoad load = i -> connections[i];
        for (final String name : Schedulers.names())
        {
            final Scheduler scheduler = build(name, 2, 1, 1);
            int sink = 0;
            for (int p = 0; p < 20_000; p++)
            {
                sink += scheduler.pick(p, p, p, load);
            }
            final long before = counting.getCurrentThreadAllocatedBytes();
            for (int p = 0; p < 100_000; p++)
            {
                sink += scheduler.pick(p * 0x9E37_79B9, p, p, load);
            }
            final long allocated = counting.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, name + " allocated " + allocated + " bytes in 100,000 picks (sink " + sink + ")");
        }
    }
}
