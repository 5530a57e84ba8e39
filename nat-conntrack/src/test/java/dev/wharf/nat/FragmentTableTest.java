package dev.wharf.nat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FragmentTableTest
{
    private static final long ADDRESSES = FlowKey.addresses(NatHarness.C1, NatHarness.S);
    private static final long NOW_MS = 1_000_000;

    private final FragmentTable table = new FragmentTable();

    @Test
    void findsWhatWasPutUntilItExpires()
    {
        final long key = FragmentTable.key(17, 1, 0x4242);
        assertEquals(FragmentTable.NOT_FOUND, table.lookup(ADDRESSES, key, NOW_MS));
        table.put(ADDRESSES, key, 6, 3, NOW_MS);

        final long found = table.lookup(ADDRESSES, key, NOW_MS + FragmentTable.LIFETIME_MS - 1);
        assertEquals(6, FragmentTable.node(found));
        assertEquals(3, FragmentTable.generation(found));
        assertEquals(FragmentTable.NOT_FOUND, table.lookup(ADDRESSES, FragmentTable.key(17, 2, 0x4242), NOW_MS), "another zone");
        assertEquals(FragmentTable.NOT_FOUND, table.lookup(ADDRESSES, key, NOW_MS + FragmentTable.LIFETIME_MS));
    }

    @Test
    void aFullWindowEvictsTheEntryExpiringSoonestAndAKeyPutAgainKeepsOneEntry()
    {
        // keys whose hashes share a slot: they compete for the same WAYS entries
        final List<Long> keys = new ArrayList<>();
        final int slot = FlowKey.hash(ADDRESSES, FragmentTable.key(17, 1, 0)) & (FragmentTable.CAPACITY - 1);
        for (int id = 0; id < 65_536 && keys.size() <= FragmentTable.WAYS; id++)
        {
            final long key = FragmentTable.key(17, 1, id);
            if ((FlowKey.hash(ADDRESSES, key) & (FragmentTable.CAPACITY - 1)) == slot)
            {
                keys.add(key);
            }
        }
        for (int k = 0; k < FragmentTable.WAYS; k++)
        {
            table.put(ADDRESSES, keys.get(k), 2 * k, 1, NOW_MS + k);
        }
        table.put(ADDRESSES, keys.get(0), 100, 1, NOW_MS + 10); // refreshed in place, not duplicated
        table.put(ADDRESSES, keys.get(FragmentTable.WAYS), 200, 1, NOW_MS + 11);

        assertEquals(100, FragmentTable.node(table.lookup(ADDRESSES, keys.get(0), NOW_MS + 11)));
        assertEquals(FragmentTable.NOT_FOUND, table.lookup(ADDRESSES, keys.get(1), NOW_MS + 11), "the oldest was evicted");
        for (int k = 2; k < FragmentTable.WAYS; k++)
        {
            assertEquals(2 * k, FragmentTable.node(table.lookup(ADDRESSES, keys.get(k), NOW_MS + 11)));
        }
        assertEquals(200, FragmentTable.node(table.lookup(ADDRESSES, keys.get(FragmentTable.WAYS), NOW_MS + 11)));
    }
}
