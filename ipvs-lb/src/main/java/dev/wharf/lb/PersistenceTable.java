package dev.wharf.lb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A persistent service's client affinity (IPVS's persistence templates): client address -> the mark of
 * the backend it was last given and until when that holds. Open addressing over a fixed number of slots,
 * written by the workers without locks: a slot is claimed by a CAS of its client word (from empty, or
 * from a client whose entry expired), its value stored after. A reader checks the client word before and
 * after reading the value, so it never takes another client's live entry; in the one window a takeover
 * leaves (the old, expired value read under the new client word) it sees an expired entry and schedules
 * afresh, which is what the new client would get anyway. A full neighbourhood of live entries leaves a
 * client unpinned (scheduled afresh each time), counted by the caller. One per persistent service,
 * kept across the service's changes.
 */
final class PersistenceTable
{
    static final int NONE = 0;
    private static final int PROBES = 8;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int EMPTY = 0;

    private final int[] clients;
    /** mark << 48 | expires-at in ms (48 bits: some 8,900 years of the monotonic clock). */
    private final long[] values;
    private final int mask;
    private final long timeoutMs;

    /** @param slots a power of two. */
    PersistenceTable(final int slots, final long timeoutMs)
    {
        this.clients = new int[slots];
        this.values = new long[slots];
        this.mask = slots - 1;
        this.timeoutMs = timeoutMs;
    }

    long timeoutMs()
    {
        return timeoutMs;
    }

    private int home(final int client)
    {
        final int h = client * 0x9E37_79B9;
        return (h ^ (h >>> 16)) & mask;
    }

    /** The mark {@code client} is pinned to at {@code nowMs}, or {@link #NONE}. (Address 0 is never a client.) */
    int lookup(final int client, final long nowMs)
    {
        int slot = home(client);
        for (int p = 0; p < PROBES; p++, slot = (slot + 1) & mask)
        {
            if ((int)INTS.getAcquire(clients, slot) == client)
            {
                final long value = (long)LONGS.getAcquire(values, slot);
                if ((int)INTS.getAcquire(clients, slot) == client && (value & 0xFFFF_FFFF_FFFFL) > nowMs)
                {
                    return (int)(value >>> 48);
                }
                return NONE;
            }
        }
        return NONE;
    }

    /** Pins {@code client} to {@code mark} until {@code nowMs} + the timeout. @return false when no slot was free. */
    boolean pin(final int client, final int mark, final long nowMs)
    {
        final long value = (long)mark << 48 | ((nowMs + timeoutMs) & 0xFFFF_FFFF_FFFFL);
        int slot = home(client);
        for (int p = 0; p < PROBES; p++, slot = (slot + 1) & mask)
        {
            final int holder = (int)INTS.getAcquire(clients, slot);
            if (holder == client)
            {
                LONGS.setRelease(values, slot, value);
                return true;
            }
            final boolean free = holder == EMPTY || ((long)LONGS.getAcquire(values, slot) & 0xFFFF_FFFF_FFFFL) <= nowMs;
            if (free && INTS.compareAndSet(clients, slot, holder, client))
            {
                LONGS.setRelease(values, slot, value);
                return true;
            }
        }
        return false;
    }
}
