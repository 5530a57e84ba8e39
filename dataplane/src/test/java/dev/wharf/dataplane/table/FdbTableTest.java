package dev.wharf.dataplane.table;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FdbTableTest
{
    private static final int MAX_PORTS = 64;
    private static final int NO_LIMIT = Integer.MAX_VALUE;
    private static final long MAC_A = 0x02420a000002L;
    private static final long MAC_B = 0x02420a000003L;

    private final FdbTable fdb = new FdbTable(1_000, MAX_PORTS);

    @Test
    void anUnknownMacIsNotFound()
    {
        assertEquals(-1, fdb.lookup(MAC_A, 0));
        assertEquals(0, fdb.size());
    }

    @Test
    void learningRecordsThePortPerMacAndVlan()
    {
        assertEquals(FdbTable.LEARNED, fdb.learn(MAC_A, 0, 3, 100, NO_LIMIT));
        assertEquals(FdbTable.LEARNED, fdb.learn(MAC_A, 10, 4, 100, NO_LIMIT));

        assertEquals(3, fdb.lookup(MAC_A, 0));
        assertEquals(4, fdb.lookup(MAC_A, 10));
        assertEquals(-1, fdb.lookup(MAC_A, 20));
        assertEquals(-1, fdb.lookup(MAC_B, 0));
        assertEquals(2, fdb.size());
        assertEquals(1, fdb.learnedOn(3));
    }

    @Test
    void macZeroAndVlan4095AreOrdinaryKeys()
    {
        assertEquals(FdbTable.LEARNED, fdb.learn(0, 0, 1, 0, NO_LIMIT));
        assertEquals(FdbTable.LEARNED, fdb.learn(0xFFFF_FFFF_FFFFL, 4095, 2, 0, NO_LIMIT));

        assertEquals(1, fdb.lookup(0, 0));
        assertEquals(2, fdb.lookup(0xFFFF_FFFF_FFFFL, 4095));
        assertEquals(-1, fdb.lookup(0xFFFF_FFFF_FFFFL, 0));
        final List<FdbTable.Entry> entries = fdb.entries(0);
        assertTrue(entries.contains(new FdbTable.Entry(0xFFFF_FFFF_FFFFL, 4095, 2, false, 0)), entries.toString());
    }

    @Test
    void seeingAKnownMacOnItsPortRefreshesItsAge()
    {
        fdb.learn(MAC_A, 0, 3, 1_000, NO_LIMIT);

        assertEquals(FdbTable.REFRESHED, fdb.learn(MAC_A, 0, 3, 9_000, NO_LIMIT));

        assertEquals(List.of(new FdbTable.Entry(MAC_A, 0, 3, false, 1_000)), fdb.entries(10_000));
        assertEquals(1, fdb.size());
    }

    @Test
    void seeingAKnownMacOnAnotherPortMovesItAndItsCount()
    {
        fdb.learn(MAC_A, 0, 3, 0, NO_LIMIT);

        assertEquals(FdbTable.MOVED, fdb.learn(MAC_A, 0, 5, 10, NO_LIMIT));

        assertEquals(5, fdb.lookup(MAC_A, 0));
        assertEquals(0, fdb.learnedOn(3));
        assertEquals(1, fdb.learnedOn(5));
        assertEquals(1, fdb.size());
    }

    @Test
    void thePerPortLimitStopsNewMacsAndMovesButNotRefreshes()
    {
        fdb.learn(1, 0, 1, 0, 2);
        fdb.learn(2, 0, 1, 0, 2);
        fdb.learn(3, 0, 2, 0, 2);

        assertEquals(FdbTable.LIMIT_REACHED, fdb.learn(4, 0, 1, 0, 2));
        assertEquals(FdbTable.LIMIT_REACHED, fdb.learn(3, 0, 1, 0, 2), "moving onto a full port");
        assertEquals(FdbTable.REFRESHED, fdb.learn(2, 0, 1, 5, 2));
        assertEquals(-1, fdb.lookup(4, 0));
        assertEquals(2, fdb.lookup(3, 0));
        assertEquals(2, fdb.learnedOn(1));
    }

    @Test
    void aFullTableRefusesNewMacsButKeepsRefreshingAndMoving()
    {
        final FdbTable small = new FdbTable(3, MAX_PORTS);
        small.learn(1, 0, 1, 0, NO_LIMIT);
        small.learn(2, 0, 1, 0, NO_LIMIT);
        small.learn(3, 0, 1, 0, NO_LIMIT);

        assertEquals(FdbTable.TABLE_FULL, small.learn(4, 0, 1, 0, NO_LIMIT));
        assertEquals(FdbTable.REFRESHED, small.learn(3, 0, 1, 1, NO_LIMIT));
        assertEquals(FdbTable.MOVED, small.learn(3, 0, 2, 1, NO_LIMIT));
        assertEquals(3, small.size());
        assertTrue(small.remove(1, 0));
        assertEquals(FdbTable.LEARNED, small.learn(4, 0, 1, 2, NO_LIMIT), "room again after a removal");
    }

    @Test
    void staticEntriesNeverMoveNeverAgeAndDoNotCountAgainstThePortLimit()
    {
        fdb.addStatic(MAC_A, 0, 7);

        assertEquals(FdbTable.STATIC_CONFLICT, fdb.learn(MAC_A, 0, 8, 0, NO_LIMIT));
        assertEquals(FdbTable.REFRESHED, fdb.learn(MAC_A, 0, 7, 0, NO_LIMIT));
        assertEquals(0, fdb.expire(Long.MAX_VALUE / 2, 1));
        assertEquals(7, fdb.lookup(MAC_A, 0));
        assertEquals(0, fdb.learnedOn(7));
        assertEquals(List.of(new FdbTable.Entry(MAC_A, 0, 7, true, 0)), fdb.entries(123_456));
    }

    @Test
    void aStaticEntryReplacesALearnedOneAndReleasesItsCount()
    {
        fdb.learn(MAC_A, 0, 3, 0, NO_LIMIT);

        fdb.addStatic(MAC_A, 0, 9);

        assertEquals(9, fdb.lookup(MAC_A, 0));
        assertEquals(0, fdb.learnedOn(3));
        assertEquals(1, fdb.size());
        fdb.addStatic(MAC_A, 0, 10);
        assertEquals(10, fdb.lookup(MAC_A, 0));
        assertEquals(1, fdb.size());
    }

    @Test
    void removeForgetsStaticAndLearnedEntries()
    {
        fdb.learn(MAC_A, 0, 3, 0, NO_LIMIT);
        fdb.addStatic(MAC_B, 0, 4);

        assertTrue(fdb.remove(MAC_A, 0));
        assertTrue(fdb.remove(MAC_B, 0));
        assertFalse(fdb.remove(MAC_B, 0));
        assertFalse(fdb.remove(MAC_A, 10));

        assertEquals(-1, fdb.lookup(MAC_A, 0));
        assertEquals(-1, fdb.lookup(MAC_B, 0));
        assertEquals(0, fdb.size());
        assertEquals(0, fdb.learnedOn(3));
        assertEquals(FdbTable.LEARNED, fdb.learn(MAC_A, 0, 3, 0, NO_LIMIT), "relearned after removal");
    }

    @Test
    void flushPortForgetsOnlyThatPortsEntries()
    {
        for (int i = 0; i < 50; i++)
        {
            fdb.learn(i, 0, i % 2, 0, NO_LIMIT);
        }
        fdb.addStatic(1_000, 0, 1);

        assertEquals(26, fdb.flushPort(1));

        assertEquals(25, fdb.size());
        assertEquals(0, fdb.learnedOn(1));
        assertEquals(25, fdb.learnedOn(0));
        for (int i = 0; i < 50; i++)
        {
            assertEquals(i % 2 == 0 ? 0 : -1, fdb.lookup(i, 0));
        }
        assertEquals(-1, fdb.lookup(1_000, 0));
    }

    @Test
    void expireRemovesOnlyEntriesNotSeenForTheAgingTime()
    {
        fdb.learn(1, 0, 1, 1_000, NO_LIMIT);
        fdb.learn(2, 0, 1, 5_000, NO_LIMIT);
        fdb.learn(3, 0, 1, 1_000, NO_LIMIT);
        fdb.learn(3, 0, 1, 8_000, NO_LIMIT); // refreshed

        assertEquals(0, fdb.expire(10_999, 10_000));
        assertEquals(1, fdb.expire(11_000, 10_000), "exactly the aging time old");
        assertEquals(-1, fdb.lookup(1, 0));
        assertEquals(1, fdb.expire(15_000, 10_000));
        assertEquals(1, fdb.lookup(3, 0), "the refreshed entry stays");
        assertEquals(1, fdb.size());
        assertEquals(1, fdb.learnedOn(1));
    }

    @Test
    void manyLearnAndExpireCyclesKeepTheTableBoundedAndCorrect()
    {
        final FdbTable table = new FdbTable(4_096, MAX_PORTS);
        final Random random = new Random(11);
        final Map<Long, Integer> live = new HashMap<>();
        long nowMs = 0;
        for (int cycle = 0; cycle < 100_000; cycle++)
        {
            nowMs += 10;
            final long mac = 0x0266_0000_0000L | cycle;
            final int port = random.nextInt(MAX_PORTS);
            assertEquals(FdbTable.LEARNED, table.learn(mac, cycle & 7, port, nowMs, NO_LIMIT));
            live.put(mac | ((long)(cycle & 7) << 48), port);
            if (cycle % 100 == 99)
            {
                final int removed = table.expire(nowMs, 500); // keep the last ~50
                assertTrue(removed > 0);
                final int oldestKept = cycle - 49;
                live.entrySet().removeIf(e -> (e.getKey() & 0xFFFF_FFFFL) < oldestKept);
                assertEquals(live.size(), table.size(), "cycle " + cycle);
            }
            assertTrue(table.size() <= 150, "size bounded: " + table.size());
        }
        for (final Map.Entry<Long, Integer> e : live.entrySet())
        {
            assertEquals(e.getValue(), table.lookup(e.getKey() & 0xFFFF_FFFF_FFFFL, (int)(e.getKey() >>> 48)));
        }
        assertEquals(-1, table.lookup(0x0266_0000_0000L, 0), "the first MAC aged out long ago");
        int learned = 0;
        for (int p = 0; p < MAX_PORTS; p++)
        {
            learned += table.learnedOn(p);
        }
        assertEquals(table.size(), learned, "per-port counts add up after all the rebuilds");
    }

    @Test
    void growingPastTheInitialCapacityKeepsEveryEntry()
    {
        final FdbTable big = new FdbTable(100_000, MAX_PORTS);
        for (int i = 0; i < 100_000; i++)
        {
            assertEquals(FdbTable.LEARNED, big.learn(0x0266_0000_0000L | i, 0, i % MAX_PORTS, 0, NO_LIMIT));
        }
        assertEquals(FdbTable.TABLE_FULL, big.learn(0x0277_0000_0000L, 0, 0, 0, NO_LIMIT));
        for (int i = 0; i < 100_000; i++)
        {
            assertEquals(i % MAX_PORTS, big.lookup(0x0266_0000_0000L | i, 0));
        }
        assertEquals(100_000, big.size());
        assertEquals(100_000, big.entries(0).size());
    }

    @Test
    void aNonPositiveSizeIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new FdbTable(0, MAX_PORTS));
    }
}
