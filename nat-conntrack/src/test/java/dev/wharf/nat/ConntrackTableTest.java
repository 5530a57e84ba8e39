package dev.wharf.nat;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConntrackTableTest
{
    private static final int TCP = 6;
    private static final int CLIENT = 0x0A0A_0002; // 10.10.0.2
    private static final int SERVER = 0x0A63_0001; // 10.99.0.1
    private static final int UPLINK = 0x0A63_0002; // 10.99.0.2

    private static long addrs(final int src, final int dst)
    {
        return FlowKey.addresses(src, dst);
    }

    private static long ports(final int sport, final int dport)
    {
        return FlowKey.ports(TCP, 0, sport, dport);
    }

    @Test
    void aFlowIsFoundFromBothDirectionsIncludingItsTranslatedReply()
    {
        final ConntrackTable table = new ConntrackTable(16);
        // masquerade: 10.10.0.2:40000 -> 10.99.0.1:80 leaves as 10.99.0.2:61000; the reply comes back to 10.99.0.2:61000
        final int node = table.create(addrs(CLIENT, SERVER), ports(40000, 80), addrs(SERVER, UPLINK), ports(80, 61000),
            ConnectionState.SYN_SENT, 1000);
        assertTrue(node >= 0);
        assertEquals(0, ConntrackTable.directionOf(node));
        assertEquals(node, ConntrackTable.nodeOf(table.lookup(addrs(CLIENT, SERVER), ports(40000, 80))));
        final int reply = ConntrackTable.nodeOf(table.lookup(addrs(SERVER, UPLINK), ports(80, 61000)));
        assertEquals(ConntrackTable.flowOf(node), ConntrackTable.flowOf(reply));
        assertEquals(1, ConntrackTable.directionOf(reply));
        assertEquals(ConntrackTable.NOT_FOUND, table.lookup(addrs(SERVER, CLIENT), ports(80, 40000)), "the untranslated reverse is not the reply");
        assertEquals(1, table.size());
    }

    @Test
    void theBatchLoadPassesWalkABucketSharedByTwoFlowsAsTheLookupDoes()
    {
        final ConntrackTable table = new ConntrackTable(16);
        // two original tuples in one bucket: the later one heads the chain, the earlier is second
        final int bucket = table.bucket(addrs(CLIENT, SERVER), ports(40000, 80));
        int otherPort = 40001;
        while (table.bucket(addrs(CLIENT, SERVER), ports(otherPort, 80)) != bucket)
        {
            otherPort++;
        }
        // replies in other buckets (the hash is seeded: search, as for the second original tuple)
        final int firstReplyPort = replyPortOutside(table, bucket, 61000);
        final int secondReplyPort = replyPortOutside(table, bucket, firstReplyPort + 1);
        final int earlier = table.create(addrs(CLIENT, SERVER), ports(40000, 80), addrs(SERVER, UPLINK), ports(80, firstReplyPort), 1, 1000);
        final int later = table.create(addrs(CLIENT, SERVER), ports(otherPort, 80), addrs(SERVER, UPLINK), ports(80, secondReplyPort), 1, 1000);
        final int head = table.head(bucket);
        assertEquals(later, head);
        assertEquals(0, ConntrackTable.directionOf(later));
        final long earlierKey = ports(40000, 80);
        assertEquals(head, table.candidate(head, addrs(CLIENT, SERVER), ports(otherPort, 80)), "the head is the flow's own");
        assertEquals(earlier, table.candidate(head, addrs(CLIENT, SERVER), earlierKey), "the head is another flow's");
        assertEquals(-1, table.candidate(earlier, addrs(CLIENT, SERVER), ports(12345, 80)), "the end of the chain");
        assertEquals(-1, table.candidate(-1, addrs(CLIENT, SERVER), earlierKey), "an empty bucket");
        // the lookup takes a right candidate as it is, and walks the chain past a wrong or missing one
        assertEquals(earlier, ConntrackTable.nodeOf(table.lookup(earlier, bucket, addrs(CLIENT, SERVER), earlierKey)));
        assertEquals(earlier, ConntrackTable.nodeOf(table.lookup(later, bucket, addrs(CLIENT, SERVER), earlierKey)));
        assertEquals(earlier, ConntrackTable.nodeOf(table.lookup(-1, bucket, addrs(CLIENT, SERVER), earlierKey)));
        assertEquals(ConntrackTable.NOT_FOUND, table.lookup(later, bucket, addrs(CLIENT, SERVER), ports(12345, 80)));
        // a removed flow is not found through a stale candidate
        assertTrue(table.remove(ConntrackTable.flowOf(earlier), table.generation(ConntrackTable.flowOf(earlier))));
        assertEquals(ConntrackTable.NOT_FOUND, table.lookup(earlier, bucket, addrs(CLIENT, SERVER), earlierKey));
        assertEquals(0, table.touch(-1));
        assertEquals(table.generationAndState(ConntrackTable.flowOf(later)), table.touch(later));
    }

    private static int replyPortOutside(final ConntrackTable table, final int bucket, final int from)
    {
        int port = from;
        while (table.bucket(addrs(SERVER, UPLINK), ports(80, port)) == bucket)
        {
            port++;
        }
        return port;
    }

    @Test
    void eachTableSeedsItsBucketsSoNobodyCanChooseTuplesThatShareOne()
    {
        final ConntrackTable one = new ConntrackTable(1024);
        final ConntrackTable other = new ConntrackTable(1024);
        int same = 0;
        for (int port = 40000; port < 40064; port++)
        {
            if (one.bucket(addrs(CLIENT, SERVER), ports(port, 80)) == other.bucket(addrs(CLIENT, SERVER), ports(port, 80)))
            {
                same++;
            }
        }
        // 8,192 buckets each: the same bucket in both tables by chance for about 1 tuple in 8,192
        assertTrue(same < 8, same + " of 64 tuples in the same bucket of both tables: the hash is not seeded");
    }

    @Test
    void creatingAnExistingFlowReturnsItAndATakenReplyTupleClashes()
    {
        final ConntrackTable table = new ConntrackTable(16);
        final int first = table.create(addrs(CLIENT, SERVER), ports(40000, 80), addrs(SERVER, UPLINK), ports(80, 61000), 1, 1000);
        assertEquals(first, table.create(addrs(CLIENT, SERVER), ports(40000, 80), addrs(SERVER, UPLINK), ports(80, 61001), 1, 1000));
        assertEquals(ConntrackTable.CLASH,
            table.create(addrs(CLIENT + 1, SERVER), ports(40000, 80), addrs(SERVER, UPLINK), ports(80, 61000), 1, 1000),
            "another client may not take the same translated port");
        assertEquals(1, table.size());
    }

    @Test
    void aFullTableRefusesAndEarlyDropFreesAnUnassuredFlowOnly()
    {
        final ConntrackTable table = new ConntrackTable(4);
        for (int i = 0; i < 4; i++)
        {
            final int state = i == 2 ? ConnectionState.SYN_SENT : ConnectionState.ESTABLISHED | ConnectionState.FLAG_ASSURED;
            assertTrue(table.create(addrs(CLIENT, SERVER), ports(1000 + i, 80), addrs(SERVER, CLIENT), ports(80, 1000 + i), state, 1000) >= 0);
        }
        assertEquals(ConntrackTable.FULL, table.create(addrs(CLIENT, SERVER), ports(2000, 80), addrs(SERVER, CLIENT), ports(80, 2000), 1, 1000));
        assertTrue(table.evictOne(4, s -> !ConnectionState.isAssured(s)));
        assertEquals(ConntrackTable.NOT_FOUND, table.lookup(addrs(CLIENT, SERVER), ports(1002, 80)), "the unassured one went");
        assertFalse(table.evictOne(4, s -> !ConnectionState.isAssured(s)), "assured flows are spared");
        assertTrue(table.create(addrs(CLIENT, SERVER), ports(2000, 80), addrs(SERVER, CLIENT), ports(80, 2000), 1, 1000) >= 0);
    }

    @Test
    void removeWithAStaleGenerationDoesNothing()
    {
        final ConntrackTable table = new ConntrackTable(2);
        final int flow = ConntrackTable.flowOf(table.create(addrs(CLIENT, SERVER), ports(1, 80), addrs(SERVER, CLIENT), ports(80, 1), 1, 1000));
        final int generation = table.generation(flow);
        assertTrue(table.remove(flow, generation));
        final int again = ConntrackTable.flowOf(table.create(addrs(CLIENT, SERVER), ports(2, 80), addrs(SERVER, CLIENT), ports(80, 2), 1, 1000));
        assertEquals(flow, again, "the slot is reused");
        assertFalse(table.remove(flow, generation), "the old generation no longer names it");
        assertEquals(1, table.size());
        assertTrue(table.lookup(addrs(CLIENT, SERVER), ports(2, 80)) != ConntrackTable.NOT_FOUND);
    }

    @Test
    void sweepRemovesOnlyExpiredFlowsAndFreesTheirSlots()
    {
        final ConntrackTable table = new ConntrackTable(1000);
        for (int i = 0; i < 1000; i++)
        {
            table.create(addrs(CLIENT, SERVER), ports(i, 80), addrs(SERVER, CLIENT), ports(80, i), 1, i % 2 == 0 ? 100 : 10_000);
        }
        int removed = 0;
        for (int pass = 0; pass < 10; pass++)
        {
            removed += table.sweep(5_000, 100);
        }
        assertEquals(500, removed);
        assertEquals(500, table.size());
        assertEquals(ConntrackTable.NOT_FOUND, table.lookup(addrs(CLIENT, SERVER), ports(0, 80)));
        assertTrue(table.lookup(addrs(CLIENT, SERVER), ports(1, 80)) != ConntrackTable.NOT_FOUND);
        for (int i = 0; i < 500; i++)
        {
            assertTrue(table.create(addrs(UPLINK, SERVER), ports(i, 443), addrs(SERVER, UPLINK), ports(443, i), 1, 10_000) >= 0);
        }
        assertEquals(1000, table.size());
    }

    @Test
    void workersCreatingLookingUpAndRemovingWhileASweeperExpiresNeverSeeAWrongFlow() throws Exception
    {
        final ConntrackTable table = new ConntrackTable(4096);
        final int threads = 3;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong hits = new AtomicLong();
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int seed = t;
            workers[t] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(seed);
                try
                {
                    start.await();
                    for (int op = 0; op < 300_000; op++)
                    {
                        final int port = random.nextInt(8192);
                        final long a = addrs(CLIENT, SERVER);
                        final long p = ports(port, 80);
                        final long handle = table.lookup(a, p);
                        if (handle != ConntrackTable.NOT_FOUND)
                        {
                            final int flow = ConntrackTable.flowOf(ConntrackTable.nodeOf(handle));
                            final int gen = ConntrackTable.generationOf(handle);
                            // the flow may be removed and reused after the lookup; while the generation the lookup saw holds, it is ours
                            final long seenPorts = table.originalPorts(flow);
                            if (table.generation(flow) == gen && seenPorts != p)
                            {
                                throw new AssertionError("lookup of port " + port + " returned the flow of port " + FlowKey.sourcePort(seenPorts));
                            }
                            hits.incrementAndGet();
                            if (random.nextInt(4) == 0)
                            {
                                table.remove(flow, gen);
                            }
                        }
                        else
                        {
                            final int created = table.create(a, p, addrs(SERVER, CLIENT), ports(80, port), 1, random.nextInt(100));
                            if (created == ConntrackTable.CLASH)
                            {
                                throw new AssertionError("no clash is possible: reply tuples mirror unique originals");
                            }
                        }
                    }
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                }
            });
            workers[t].start();
        }
        final Thread sweeper = new Thread(() ->
        {
            try
            {
                start.await();
                long now = 0;
                while (workers[0].isAlive() || workers[1].isAlive() || workers[2].isAlive())
                {
                    table.sweep(now++ % 100, 512);
                }
            }
            catch (final Throwable e)
            {
                failure.compareAndSet(null, e);
            }
        });
        sweeper.start();
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join(120_000);
        }
        sweeper.join(10_000);
        assertNull(failure.get(), () -> "concurrent use failed: " + failure.get());
        assertTrue(hits.get() > 0, "lookups hit");

        int live = 0;
        for (int flow = 0; flow < table.capacity(); flow++)
        {
            if (table.isLive(flow))
            {
                live++;
                final long a = table.originalAddresses(flow);
                final long p = table.originalPorts(flow);
                assertEquals(flow, ConntrackTable.flowOf(ConntrackTable.nodeOf(table.lookup(a, p))), "every live flow is findable");
                assertEquals(flow, ConntrackTable.flowOf(ConntrackTable.nodeOf(table.lookup(table.replyAddresses(flow), table.replyPorts(flow)))));
            }
        }
        assertEquals(live, table.size(), "size matches the live flows");
    }
}
