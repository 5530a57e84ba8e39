package dev.wharf.dataplane.l2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One network's forwarding database: (MAC, VLAN) to port id, learned from source addresses and
 * aged out, with static entries and a per-port limit on learned MACs.
 *
 * <p>Open addressing with linear probing over primitive arrays. Thread safety: {@link #lookup} and
 * the refresh of a known entry in {@link #learn} take no lock and allocate nothing, so every worker
 * may call them at packet rate. Inserting, moving and removing an entry take this table's monitor
 * (new MACs are rare next to refreshes). A writer fills a slot's port and times before it publishes
 * the key with a release store; readers load keys with acquire. Removed entries become tombstones
 * that are never reused in place: the table is rebuilt into fresh arrays when they pile up, so a
 * reader never sees a slot change owner under it.
 */
public final class FdbTable
{
    public static final int LEARNED = 0;
    public static final int REFRESHED = 1;
    public static final int MOVED = 2;
    public static final int LIMIT_REACHED = 3;
    public static final int TABLE_FULL = 4;
    public static final int STATIC_CONFLICT = 5;

    public static final long DEFAULT_AGING_MS = 300_000;

    private static final long EMPTY = 0;
    private static final long TOMBSTONE = -1;
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle PORTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle SEEN = MethodHandles.arrayElementVarHandle(long[].class);

    private final int maxEntries;
    private final int[] learnedPerPort;
    private volatile Slots slots;
    private int entries;

    /** The arrays of one generation of the table. */
    private static final class Slots
    {
        final long[] keys;
        final int[] ports;
        final long[] seenMs;
        final boolean[] isStatic;
        final int mask;
        int used;

        Slots(final int capacity)
        {
            keys = new long[capacity];
            ports = new int[capacity];
            seenMs = new long[capacity];
            isStatic = new boolean[capacity];
            mask = capacity - 1;
        }
    }

    /** An entry as the control plane reports it. */
    public record Entry(long mac, int vlan, int port, boolean isStatic, long ageMs)
    {
    }

    /**
     * @param maxEntries most entries the table holds; learning beyond that floods instead.
     * @param maxPortId  port ids are below this.
     */
    public FdbTable(final int maxEntries, final int maxPortId)
    {
        if (maxEntries <= 0)
        {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.learnedPerPort = new int[maxPortId];
        this.slots = new Slots(capacityFor(Math.min(maxEntries, 1024)));
    }

    private static int capacityFor(final int entries)
    {
        // at most half full, a power of two
        return Integer.highestOneBit(Math.max(16, entries * 2 - 1)) << 1;
    }

    static long key(final long mac, final int vlan)
    {
        // VLAN 0 is a real key; bit 60 marks the key as non-empty so that MAC 0 is distinct from EMPTY
        return (1L << 60) | ((long)vlan << 48) | mac;
    }

    private static int hash(final long key)
    {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 32;
        return (int)h;
    }

    /** @return the port id for (mac, vlan), or -1 when unknown. Lock-free; any thread. */
    public int lookup(final long mac, final int vlan)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final long[] keys = s.keys;
        final int mask = s.mask;
        int i = hash(key) & mask;
        while (true)
        {
            final long k = (long)KEYS.getAcquire(keys, i);
            if (k == key)
            {
                return (int)PORTS.getOpaque(s.ports, i);
            }
            if (k == EMPTY)
            {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * Records that (mac, vlan) was seen on {@code port} at {@code nowMs}.
     *
     * @param macLimit most learned MACs the port may hold.
     * @return {@link #REFRESHED}, {@link #LEARNED}, {@link #MOVED}, {@link #LIMIT_REACHED},
     * {@link #TABLE_FULL} or {@link #STATIC_CONFLICT}.
     */
    public int learn(final long mac, final int vlan, final int port, final long nowMs, final int macLimit)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final long[] keys = s.keys;
        final int mask = s.mask;
        int i = hash(key) & mask;
        while (true)
        {
            final long k = (long)KEYS.getAcquire(keys, i);
            if (k == key)
            {
                if ((int)PORTS.getOpaque(s.ports, i) == port)
                {
                    if (!s.isStatic[i])
                    {
                        SEEN.setOpaque(s.seenMs, i, nowMs);
                    }
                    return REFRESHED;
                }
                return learnSlow(mac, vlan, port, nowMs, macLimit);
            }
            if (k == EMPTY)
            {
                return learnSlow(mac, vlan, port, nowMs, macLimit);
            }
            i = (i + 1) & mask;
        }
    }

    private synchronized int learnSlow(final long mac, final int vlan, final int port, final long nowMs, final int macLimit)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final int slot = find(s, key);
        if (slot >= 0)
        {
            final int current = s.ports[slot];
            if (current == port)
            {
                return REFRESHED;
            }
            if (s.isStatic[slot])
            {
                return STATIC_CONFLICT;
            }
            if (learnedPerPort[port] >= macLimit)
            {
                return LIMIT_REACHED;
            }
            learnedPerPort[current]--;
            learnedPerPort[port]++;
            SEEN.setOpaque(s.seenMs, slot, nowMs);
            PORTS.setRelease(s.ports, slot, port);
            return MOVED;
        }
        if (learnedPerPort[port] >= macLimit)
        {
            return LIMIT_REACHED;
        }
        if (entries >= maxEntries)
        {
            return TABLE_FULL;
        }
        insert(key, port, nowMs, false);
        learnedPerPort[port]++;
        return LEARNED;
    }

    /** Adds or replaces a static entry, which never ages and never moves. Control plane only. */
    public synchronized void addStatic(final long mac, final int vlan, final int port)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final int slot = find(s, key);
        if (slot >= 0)
        {
            if (!s.isStatic[slot])
            {
                learnedPerPort[s.ports[slot]]--;
            }
            s.isStatic[slot] = true;
            PORTS.setRelease(s.ports, slot, port);
            return;
        }
        insert(key, port, 0, true);
    }

    /** Removes (mac, vlan), static or learned. @return true when it was there. Control plane only. */
    public synchronized boolean remove(final long mac, final int vlan)
    {
        final Slots s = slots;
        final int slot = find(s, key(mac, vlan));
        if (slot < 0)
        {
            return false;
        }
        removeSlot(s, slot);
        return true;
    }

    /** Forgets every entry pointing at {@code port} (the port was detached). */
    public synchronized int flushPort(final int port)
    {
        final Slots s = slots;
        int removed = 0;
        for (int i = 0; i < s.keys.length; i++)
        {
            final long k = s.keys[i];
            if (k != EMPTY && k != TOMBSTONE && s.ports[i] == port)
            {
                removeSlot(s, i);
                removed++;
            }
        }
        learnedPerPort[port] = 0;
        return removed;
    }

    /** Removes learned entries not seen for {@code agingMs}. @return how many aged out. */
    public synchronized int expire(final long nowMs, final long agingMs)
    {
        final Slots s = slots;
        int removed = 0;
        for (int i = 0; i < s.keys.length; i++)
        {
            final long k = s.keys[i];
            if (k != EMPTY && k != TOMBSTONE && !s.isStatic[i] && nowMs - (long)SEEN.getOpaque(s.seenMs, i) >= agingMs)
            {
                removeSlot(s, i);
                removed++;
            }
        }
        return removed;
    }

    public synchronized int size()
    {
        return entries;
    }

    public synchronized int learnedOn(final int port)
    {
        return learnedPerPort[port];
    }

    /** A copy of every entry, for the CLI and the API. */
    public synchronized List<Entry> entries(final long nowMs)
    {
        final Slots s = slots;
        final List<Entry> list = new ArrayList<>(entries);
        for (int i = 0; i < s.keys.length; i++)
        {
            final long k = s.keys[i];
            if (k != EMPTY && k != TOMBSTONE)
            {
                list.add(new Entry(k & 0xFFFF_FFFF_FFFFL, (int)(k >>> 48) & 0xFFF, s.ports[i], s.isStatic[i],
                    s.isStatic[i] ? 0 : Math.max(0, nowMs - s.seenMs[i])));
            }
        }
        return list;
    }

    private static int find(final Slots s, final long key)
    {
        int i = hash(key) & s.mask;
        while (true)
        {
            final long k = s.keys[i];
            if (k == key)
            {
                return i;
            }
            if (k == EMPTY)
            {
                return -1;
            }
            i = (i + 1) & s.mask;
        }
    }

    private void removeSlot(final Slots s, final int slot)
    {
        if (!s.isStatic[slot])
        {
            learnedPerPort[s.ports[slot]]--;
        }
        KEYS.setRelease(s.keys, slot, TOMBSTONE);
        entries--;
    }

    private void insert(final long key, final int port, final long nowMs, final boolean isStatic)
    {
        Slots s = slots;
        if (s.used + 1 > s.keys.length * 3 / 4) // tombstones count as used: rebuild drops them
        {
            s = rebuild(capacityFor(Math.max(entries + 1, 16)));
        }
        int i = hash(key) & s.mask;
        while (s.keys[i] != EMPTY)
        {
            i = (i + 1) & s.mask;
        }
        s.ports[i] = port;
        s.seenMs[i] = nowMs;
        s.isStatic[i] = isStatic;
        KEYS.setRelease(s.keys, i, key);
        s.used++;
        entries++;
    }

    /** Copies live entries into fresh arrays (dropping tombstones) and publishes them. */
    private Slots rebuild(final int capacity)
    {
        final Slots old = slots;
        final Slots fresh = new Slots(capacity);
        for (int i = 0; i < old.keys.length; i++)
        {
            final long k = old.keys[i];
            if (k != EMPTY && k != TOMBSTONE)
            {
                int j = hash(k) & fresh.mask;
                while (fresh.keys[j] != EMPTY)
                {
                    j = (j + 1) & fresh.mask;
                }
                fresh.keys[j] = k;
                fresh.ports[j] = old.ports[i];
                fresh.seenMs[j] = (long)SEEN.getOpaque(old.seenMs, i);
                fresh.isStatic[j] = old.isStatic[i];
                fresh.used++;
            }
        }
        slots = fresh;
        return fresh;
    }
}
