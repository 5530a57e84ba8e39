package dev.wharf.dataplane.table;

import dev.wharf.dataplane.table.NeighbourTable.State;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The neighbour state machine with explicit times: reachable, stale and refreshed, failed, expired. */
class NeighbourTableTest
{
    private static final int IP = 0x0A00_0102;
    private static final long MAC = 0x0242_0A00_0102L;
    private static final long OTHER_MAC = 0x0242_0A00_0199L;
    private static final long T0 = 1_000;
    private static final long STALE_AT = T0 + NeighbourTable.REACHABLE_MS;

    private final NeighbourTable table = new NeighbourTable(64);

    private record Row(int ip, long mac, State state, long updatedMs, int probes)
    {
    }

    private List<Row> rows(final long nowMs)
    {
        final List<Row> rows = new ArrayList<>();
        table.forEach(nowMs, (ip, mac, state, updatedMs, probes) -> rows.add(new Row(ip, mac, state, updatedMs, probes)));
        return rows;
    }

    private State state(final long nowMs)
    {
        final List<Row> rows = rows(nowMs);
        assertEquals(1, rows.size(), rows.toString());
        return rows.get(0).state();
    }

    @Test
    void anUnknownAddressIsMissing()
    {
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, T0));
        assertEquals(NeighbourTable.MISSING, table.lookup(IP));
        assertFalse(table.needsRefresh(IP, T0));
        assertTrue(rows(T0).isEmpty());
    }

    @Test
    void aConfirmedEntryIsReachableForThirtySecondsThenStaleButStillGivesItsMac()
    {
        table.learn(IP, MAC, T0);

        final long reachable = table.lookup(IP, STALE_AT - 1);
        assertEquals(MAC, reachable);
        assertFalse(NeighbourTable.isStale(reachable));
        assertEquals(State.REACHABLE, state(STALE_AT - 1));
        assertFalse(table.needsRefresh(IP, STALE_AT - 1), "nothing to refresh while reachable");

        final long stale = table.lookup(IP, STALE_AT);
        assertTrue(NeighbourTable.isStale(stale));
        assertEquals(MAC, NeighbourTable.mac(stale), "traffic keeps flowing to a stale neighbour");
        assertEquals(State.STALE, state(STALE_AT));
        assertEquals(MAC, table.lookup(IP), "the time-free lookup gives the MAC whatever its age");
    }

    @Test
    void aPermanentEntryStaysReachableIsNeverRefreshedOrExpiredAndGoesOnlyWhenForgotten()
    {
        table.learnPermanent(IP, MAC);
        final long muchLater = T0 + 10 * (NeighbourTable.REACHABLE_MS + NeighbourTable.GC_STALE_MS);

        assertEquals(MAC, table.lookup(IP, muchLater), "reachable, not stale");
        assertFalse(table.needsRefresh(IP, muchLater));
        assertEquals(0, table.expire(muchLater));
        table.learn(IP, MAC, muchLater); // an ARP answer with the same MAC keeps it permanent
        assertEquals(MAC, table.lookup(IP, muchLater + NeighbourTable.REACHABLE_MS * 4));
        table.forget(IP);
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, muchLater));
    }

    @Test
    void aStaleEntryIsRefreshedAtMostOnceASecondAndByOneCallerOnly()
    {
        table.learn(IP, MAC, T0);

        assertTrue(table.needsRefresh(IP, STALE_AT), "the first caller sends the request");
        assertFalse(table.needsRefresh(IP, STALE_AT), "the second does not");
        assertFalse(table.needsRefresh(IP, STALE_AT + NeighbourTable.PROBE_INTERVAL_MS - 1));
        assertTrue(table.needsRefresh(IP, STALE_AT + NeighbourTable.PROBE_INTERVAL_MS));
        assertEquals(2, rows(STALE_AT + NeighbourTable.PROBE_INTERVAL_MS).get(0).probes());
    }

    @Test
    void threeUnansweredRefreshesFailTheEntrySoTheLookupMissesAndIp4ArpAsksByBroadcast()
    {
        table.learn(IP, MAC, T0);
        for (int n = 0; n < NeighbourTable.MAX_PROBES; n++)
        {
            final long nowMs = STALE_AT + n * NeighbourTable.PROBE_INTERVAL_MS;
            assertTrue(NeighbourTable.isStale(table.lookup(IP, nowMs)), "refresh " + n);
            assertTrue(table.needsRefresh(IP, nowMs), "refresh " + n);
        }
        final long lastMs = STALE_AT + (NeighbourTable.MAX_PROBES - 1) * NeighbourTable.PROBE_INTERVAL_MS;
        final long failedAt = lastMs + NeighbourTable.PROBE_INTERVAL_MS;

        assertEquals(MAC, NeighbourTable.mac(table.lookup(IP, failedAt - 1)), "the last request still has its second");
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, failedAt));
        assertFalse(table.needsRefresh(IP, failedAt), "no fourth unicast request");
        assertEquals(State.FAILED, state(failedAt));

        assertTrue(table.shouldProbe(IP, failedAt), "ip4-arp resolves it from scratch");
        assertFalse(table.shouldProbe(IP, failedAt + 1));
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, failedAt + 1), "its broadcast request does not revive the old MAC");
        assertEquals(State.FAILED, state(failedAt + 1));
        assertEquals(MAC, table.lookup(IP), "listings still show the MAC it had");
    }

    @Test
    void aConfirmationAfterARefreshMakesTheEntryReachableAndRestartsTheCount()
    {
        table.learn(IP, MAC, T0);
        assertTrue(table.needsRefresh(IP, STALE_AT));
        assertTrue(table.needsRefresh(IP, STALE_AT + 1_000));

        table.learn(IP, MAC, STALE_AT + 1_500);

        assertEquals(MAC, table.lookup(IP, STALE_AT + 2_000));
        assertEquals(State.REACHABLE, state(STALE_AT + 2_000));
        assertEquals(0, rows(STALE_AT + 2_000).get(0).probes());
        assertFalse(table.needsRefresh(IP, STALE_AT + 2_500));
        final long staleAgain = STALE_AT + 1_500 + NeighbourTable.REACHABLE_MS;
        for (int n = 0; n < NeighbourTable.MAX_PROBES; n++)
        {
            assertTrue(table.needsRefresh(IP, staleAgain + n * 1_000), "three more requests: " + n);
        }
        assertFalse(table.needsRefresh(IP, staleAgain + 3_000));
    }

    @Test
    void aConfirmationRevivesAFailedEntryWithTheMacItGives()
    {
        table.learn(IP, MAC, T0);
        for (int n = 0; n < NeighbourTable.MAX_PROBES; n++)
        {
            table.needsRefresh(IP, STALE_AT + n * 1_000);
        }
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, STALE_AT + 5_000));

        table.learn(IP, OTHER_MAC, STALE_AT + 5_000);

        assertEquals(OTHER_MAC, table.lookup(IP, STALE_AT + 5_000));
        assertEquals(State.REACHABLE, state(STALE_AT + 5_000));
    }

    @Test
    void aGleanedConfirmationInsideTheRefreshGranularityStillAnswersARequest()
    {
        table.learn(IP, MAC, T0);
        assertTrue(table.shouldProbe(IP, T0 + 100), "asked by broadcast: no port was known for the MAC");
        assertEquals(1, rows(T0 + 100).get(0).probes());

        table.learn(IP, MAC, T0 + 200); // within REFRESH_GRANULARITY_MS of the last write, but it answers the request

        assertEquals(0, rows(T0 + 200).get(0).probes());
        assertEquals(T0 + 200, rows(T0 + 200).get(0).updatedMs());
    }

    @Test
    void aRefreshOfAnUnchangedReachableEntryWritesItsTimeOnlyOnceASecond()
    {
        table.learn(IP, MAC, T0);
        table.learn(IP, MAC, T0 + NeighbourTable.REFRESH_GRANULARITY_MS - 1);
        assertEquals(T0, rows(T0).get(0).updatedMs());
        table.learn(IP, MAC, T0 + NeighbourTable.REFRESH_GRANULARITY_MS);
        assertEquals(T0 + NeighbourTable.REFRESH_GRANULARITY_MS, rows(T0).get(0).updatedMs());
    }

    @Test
    void anUnansweredRequestIsIncompleteUntilAnsweredAndAskedOnceASecond()
    {
        assertTrue(table.shouldProbe(IP, T0));
        assertFalse(table.shouldProbe(IP, T0 + 999));
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, T0 + 999));
        assertEquals(List.of(new Row(IP, NeighbourTable.MISSING, State.INCOMPLETE, T0, 1)), rows(T0 + 999));
        assertTrue(table.shouldProbe(IP, T0 + 1_000));

        table.learn(IP, MAC, T0 + 1_200);

        assertEquals(MAC, table.lookup(IP, T0 + 1_200));
        assertEquals(State.REACHABLE, state(T0 + 1_200));
    }

    @Test
    void anEntryNothingNeedsIsRemovedSixtySecondsPastStale()
    {
        table.learn(IP, MAC, T0);
        final long deadAt = STALE_AT + NeighbourTable.GC_STALE_MS;

        assertEquals(0, table.expire(deadAt - 1_000));
        assertEquals(State.STALE, state(deadAt - 1_000));
        assertEquals(1, table.expire(deadAt));

        assertEquals(NeighbourTable.MISSING, table.lookup(IP));
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, deadAt));
        assertTrue(rows(deadAt).isEmpty());
        table.learn(IP, MAC, deadAt + 1);
        assertEquals(MAC, table.lookup(IP, deadAt + 1), "learned again afresh");
    }

    @Test
    void reachableEntriesAreNeverRemoved()
    {
        table.learn(IP, MAC, T0);
        for (long nowMs = T0; nowMs < STALE_AT + 5 * NeighbourTable.GC_STALE_MS; nowMs += NeighbourTable.EXPIRY_INTERVAL_MS)
        {
            table.learn(IP, MAC, nowMs);
            assertEquals(0, table.expire(nowMs));
        }
        assertEquals(MAC, table.lookup(IP, STALE_AT + 5 * NeighbourTable.GC_STALE_MS));
    }

    @Test
    void anEntryInUseIsKeptWhileRequestsForItAreRecentEvenWhenFailed()
    {
        table.learn(IP, MAC, T0);
        final long usedAt = STALE_AT + 50_000;
        assertTrue(table.needsRefresh(IP, usedAt)); // traffic found it stale and asked
        assertEquals(0, table.expire(STALE_AT + NeighbourTable.GC_STALE_MS), "asked for 10 s ago");
        final long failedAt = usedAt + 5_000;
        table.needsRefresh(IP, usedAt + 1_000);
        table.needsRefresh(IP, usedAt + 2_000);
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, failedAt));
        assertTrue(table.shouldProbe(IP, failedAt)); // ip4-arp asks by broadcast for the traffic still coming

        assertEquals(0, table.expire(failedAt + NeighbourTable.GC_STALE_MS - 1_000));
        assertEquals(1, table.expire(failedAt + NeighbourTable.GC_STALE_MS));
        assertTrue(rows(failedAt + NeighbourTable.GC_STALE_MS).isEmpty());
    }

    @Test
    void anAddressThatNeverAnsweredIsRemovedAMinuteAfterTheLastRequest()
    {
        assertTrue(table.shouldProbe(IP, T0));
        assertEquals(0, table.expire(T0 + NeighbourTable.GC_STALE_MS - 1_000));
        assertEquals(1, table.expire(T0 + NeighbourTable.GC_STALE_MS));
        assertTrue(rows(T0 + NeighbourTable.GC_STALE_MS).isEmpty());
    }

    @Test
    void expiryMakesOnePassASecond()
    {
        table.learn(IP, MAC, T0);
        final long deadAt = STALE_AT + NeighbourTable.GC_STALE_MS;
        assertEquals(0, table.expire(deadAt - 1));
        assertEquals(0, table.expire(deadAt + NeighbourTable.EXPIRY_INTERVAL_MS - 2), "a pass began less than a second ago");
        assertEquals(1, table.expire(deadAt + NeighbourTable.EXPIRY_INTERVAL_MS - 1));
    }

    @Test
    void removedSlotsAreReusedSoTheTableNeverFillsWithDeadNeighbours()
    {
        final NeighbourTable small = new NeighbourTable(16); // 32 slots
        long nowMs = T0;
        for (int round = 0; round < 50; round++)
        {
            for (int h = 0; h < 20; h++)
            {
                final int ip = 0x0A00_0000 | (round * 20 + h + 1);
                small.learn(ip, MAC + ip, nowMs);
            }
            for (int h = 0; h < 20; h++)
            {
                final int ip = 0x0A00_0000 | (round * 20 + h + 1);
                assertEquals(MAC + ip, small.lookup(ip, nowMs), "round " + round + " host " + h);
            }
            nowMs += NeighbourTable.REACHABLE_MS + NeighbourTable.GC_STALE_MS;
            assertEquals(20, small.expire(nowMs), "round " + round);
        }
    }

    @Test
    void anAddressInAReusedSlotNeverGetsTheMacOfTheOneBefore()
    {
        final NeighbourTable small = new NeighbourTable(16);
        for (int h = 1; h <= 24; h++)
        {
            small.learn(0x0A00_0000 | h, MAC + h, T0);
        }
        final long deadAt = STALE_AT + NeighbourTable.GC_STALE_MS;
        assertEquals(24, small.expire(deadAt));
        for (int h = 101; h <= 124; h++)
        {
            assertTrue(small.shouldProbe(0x0A00_0000 | h, deadAt), "claims a slot for " + h);
        }
        for (int h = 101; h <= 124; h++)
        {
            assertEquals(NeighbourTable.MISSING, small.lookup(0x0A00_0000 | h), "asked for, never answered: " + h);
            assertEquals(NeighbourTable.MISSING, small.lookup(0x0A00_0000 | h, deadAt));
        }
        final int[] incomplete = new int[1];
        small.forEach(deadAt, (ip, mac, state, updatedMs, probes) ->
        {
            assertEquals(State.INCOMPLETE, state);
            incomplete[0]++;
        });
        assertEquals(24, incomplete[0]);
        small.forEach((ip, mac, updatedMs) ->
        {
            throw new AssertionError("no entry has a MAC: " + Integer.toHexString(ip) + " at " + Long.toHexString(mac));
        });
    }

    @Test
    void forgetMakesTheLookupMissUntilLearnedAgain()
    {
        table.learn(IP, MAC, T0);
        table.forget(IP);
        assertEquals(NeighbourTable.MISSING, table.lookup(IP, T0));
        assertEquals(State.INCOMPLETE, state(T0));
        table.learn(IP, MAC, T0 + 10);
        assertEquals(MAC, table.lookup(IP, T0 + 10));
    }

    @Test
    void theListingWithoutStatesShowsEveryEntryWithAMac()
    {
        table.learn(IP, MAC, T0);
        table.learn(IP + 1, OTHER_MAC, T0 + 5);
        table.shouldProbe(IP + 2, T0);
        final List<Row> rows = new ArrayList<>();
        table.forEach((ip, mac, updatedMs) -> rows.add(new Row(ip, mac, null, updatedMs, 0)));
        rows.sort((x, y) -> Integer.compare(x.ip(), y.ip()));
        assertEquals(List.of(new Row(IP, MAC, null, T0, 0), new Row(IP + 1, OTHER_MAC, null, T0 + 5, 0)), rows);
    }

    @Test
    void addressZeroIsNeverAnEntry()
    {
        table.learn(0, MAC, T0);
        assertFalse(table.shouldProbe(0, T0));
        assertEquals(NeighbourTable.MISSING, table.lookup(0, T0));
        assertEquals(NeighbourTable.MISSING, table.lookup(0));
        assertTrue(rows(T0).isEmpty());
    }
}
