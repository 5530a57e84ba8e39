package dev.wharf.dataplane.table;

import org.agrona.BitUtil;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One network's forwarding database: (MAC, VLAN) to port id and the peer within that port (for a
 * tunnel port, the remote VTEP a MAC is behind; 0 for other ports), learned from source addresses and
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
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** {@link #lookupEntry}: no entry. Never an entry word (a port id is never -1). */
    public static final long MISSING = -1;

    /**
     * An entry is four longs in one array, so a lookup touches one cache line: key, entry word, last seen,
     * spare. The entry word holds the port id (bits 0-30), the static flag (bit 31) and the peer (bits
     * 32-63: any 32-bit handle, such as a VTEP's IPv4 address), so a reader sees a port and its peer change
     * together.
     */
    private static final int STRIDE = 4;
    private static final int KEY = 0;
    private static final int PORT = 1;
    private static final int SEEN = 2;
    private static final long STATIC_FLAG = 1L << 31;
    private static final int PEER_SHIFT = 32;
    private static final long PORT_MASK = 0x7FFF_FFFFL;

    private final int maxEntries;
    private final int[] learnedPerPort;
    private volatile Slots slots;
    private int entries;

    /** The array of one generation of the table. */
    private static final class Slots
    {
        final long[] data;
        final int capacity;
        final int mask;
        int used;

        Slots(final int capacity)
        {
            this.data = new long[capacity * STRIDE];
            this.capacity = capacity;
            this.mask = capacity - 1;
        }

        long key(final int slot)
        {
            return data[slot * STRIDE + KEY];
        }

        int port(final int slot)
        {
            return portOf(data[slot * STRIDE + PORT]);
        }

        int peer(final int slot)
        {
            return peerOf(data[slot * STRIDE + PORT]);
        }

        boolean isStatic(final int slot)
        {
            return (data[slot * STRIDE + PORT] & STATIC_FLAG) != 0;
        }

        long seen(final int slot)
        {
            return (long)LONGS.getOpaque(data, slot * STRIDE + SEEN);
        }
    }

    /** An entry as the control plane reports it; {@code peer} is 0 but on a tunnel port. */
    public record Entry(long mac, int vlan, int port, boolean isStatic, long ageMs, int peer)
    {
        /** An entry of a port without peers. */
        public Entry(final long mac, final int vlan, final int port, final boolean isStatic, final long ageMs)
        {
            this(mac, vlan, port, isStatic, ageMs, 0);
        }
    }

    /** The port id of an entry word from {@link #lookupEntry}. */
    public static int portOf(final long entry)
    {
        return (int)(entry & PORT_MASK);
    }

    /** The peer of an entry word from {@link #lookupEntry}. */
    public static int peerOf(final long entry)
    {
        return (int)(entry >>> PEER_SHIFT);
    }

    private static long word(final int port, final int peer, final boolean isStatic)
    {
        return ((long)peer << PEER_SHIFT) | (isStatic ? STATIC_FLAG : 0) | (port & PORT_MASK);
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
        return BitUtil.findNextPositivePowerOfTwo(Math.max(32, entries * 2));
    }

    static long key(final long mac, final int vlan)
    {
        // VLAN 0 is a real key; bit 60 marks the key as non-empty so that MAC 0 is distinct from EMPTY
        return (1L << 60) | ((long)vlan << 48) | mac;
    }

    private static int hash(final long key)
    {
        // one multiply and a fold: Agrona's Hashing.hash(long) (SplitMix64's finaliser) takes two, twice per bridged packet
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        h ^= h >>> 32;
        return (int)h;
    }

    /** @return the port id for (mac, vlan), or -1 when unknown. Lock-free; any thread. */
    public int lookup(final long mac, final int vlan)
    {
        final long entry = lookupEntry(mac, vlan);
        return entry == MISSING ? -1 : portOf(entry);
    }

    /** @return the entry word for (mac, vlan) ({@link #portOf}, {@link #peerOf}), or {@link #MISSING}. Lock-free; any thread. */
    public long lookupEntry(final long mac, final int vlan)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final long[] data = s.data;
        final int mask = s.mask;
        int i = hash(key) & mask;
        while (true)
        {
            final long k = (long)LONGS.getAcquire(data, i * STRIDE + KEY);
            if (k == key)
            {
                return (long)LONGS.getOpaque(data, i * STRIDE + PORT);
            }
            if (k == EMPTY)
            {
                return MISSING;
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
        return learn(mac, vlan, port, 0, nowMs, macLimit);
    }

    /**
     * Records that (mac, vlan) was seen on {@code port}, behind its peer {@code peer} (0: none), at
     * {@code nowMs}; the same MAC behind another peer of the same port is a move.
     *
     * @return as {@link #learn(long, int, int, long, int)}.
     */
    public int learn(final long mac, final int vlan, final int port, final int peer, final long nowMs, final int macLimit)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final long[] data = s.data;
        final int mask = s.mask;
        int i = hash(key) & mask;
        while (true)
        {
            final int base = i * STRIDE;
            final long k = (long)LONGS.getAcquire(data, base + KEY);
            if (k == key)
            {
                final long portWord = (long)LONGS.getOpaque(data, base + PORT);
                if (portOf(portWord) == port && peerOf(portWord) == peer)
                {
                    // write only when the millisecond moved: workers refreshing one MAC do not bounce its line
                    if ((portWord & STATIC_FLAG) == 0 && (long)LONGS.getOpaque(data, base + SEEN) != nowMs)
                    {
                        LONGS.setOpaque(data, base + SEEN, nowMs);
                    }
                    return REFRESHED;
                }
                return learnSlow(mac, vlan, port, peer, nowMs, macLimit);
            }
            if (k == EMPTY)
            {
                return learnSlow(mac, vlan, port, peer, nowMs, macLimit);
            }
            i = (i + 1) & mask;
        }
    }

    private synchronized int learnSlow(
        final long mac, final int vlan, final int port, final int peer, final long nowMs, final int macLimit)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final int slot = find(s, key);
        if (slot >= 0)
        {
            final int current = s.port(slot);
            if (current == port && s.peer(slot) == peer)
            {
                return REFRESHED;
            }
            if (s.isStatic(slot))
            {
                return STATIC_CONFLICT;
            }
            if (current != port && learnedPerPort[port] >= macLimit)
            {
                return LIMIT_REACHED;
            }
            learnedPerPort[current]--;
            learnedPerPort[port]++;
            LONGS.setOpaque(s.data, slot * STRIDE + SEEN, nowMs);
            LONGS.setRelease(s.data, slot * STRIDE + PORT, word(port, peer, false));
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
        insert(key, word(port, peer, false), nowMs);
        learnedPerPort[port]++;
        return LEARNED;
    }

    /** Adds or replaces a static entry, which never ages and never moves. Control plane only. */
    public synchronized void addStatic(final long mac, final int vlan, final int port)
    {
        addStatic(mac, vlan, port, 0);
    }

    /** Adds or replaces a static entry for a MAC behind peer {@code peer} of {@code port} (a remote endpoint of a tunnel). */
    public synchronized void addStatic(final long mac, final int vlan, final int port, final int peer)
    {
        final long key = key(mac, vlan);
        final Slots s = slots;
        final int slot = find(s, key);
        if (slot >= 0)
        {
            if (!s.isStatic(slot))
            {
                learnedPerPort[s.port(slot)]--;
            }
            LONGS.setRelease(s.data, slot * STRIDE + PORT, word(port, peer, true));
            return;
        }
        insert(key, word(port, peer, true), 0);
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
        for (int i = 0; i < s.capacity; i++)
        {
            final long k = s.key(i);
            if (k != EMPTY && k != TOMBSTONE && s.port(i) == port)
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
        for (int i = 0; i < s.capacity; i++)
        {
            final long k = s.key(i);
            if (k != EMPTY && k != TOMBSTONE && !s.isStatic(i) && nowMs - s.seen(i) >= agingMs)
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
        for (int i = 0; i < s.capacity; i++)
        {
            final long k = s.key(i);
            if (k != EMPTY && k != TOMBSTONE)
            {
                list.add(new Entry(k & 0xFFFF_FFFF_FFFFL, (int)(k >>> 48) & 0xFFF, s.port(i), s.isStatic(i),
                    s.isStatic(i) ? 0 : Math.max(0, nowMs - s.seen(i)), s.peer(i)));
            }
        }
        return list;
    }

    private static int find(final Slots s, final long key)
    {
        int i = hash(key) & s.mask;
        while (true)
        {
            final long k = s.key(i);
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
        if (!s.isStatic(slot))
        {
            learnedPerPort[s.port(slot)]--;
        }
        LONGS.setRelease(s.data, slot * STRIDE + KEY, TOMBSTONE);
        entries--;
    }

    private void insert(final long key, final long word, final long nowMs)
    {
        Slots s = slots;
        if (s.used + 1 > s.capacity * 3 / 4) // tombstones count as used: rebuild drops them
        {
            s = rebuild(capacityFor(Math.max(entries + 1, 16)));
        }
        int i = hash(key) & s.mask;
        while (s.key(i) != EMPTY)
        {
            i = (i + 1) & s.mask;
        }
        s.data[i * STRIDE + PORT] = word;
        s.data[i * STRIDE + SEEN] = nowMs;
        LONGS.setRelease(s.data, i * STRIDE + KEY, key);
        s.used++;
        entries++;
    }

    /** Copies live entries into fresh arrays (dropping tombstones) and publishes them. */
    private Slots rebuild(final int capacity)
    {
        final Slots old = slots;
        final Slots fresh = new Slots(capacity);
        for (int i = 0; i < old.capacity; i++)
        {
            final long k = old.key(i);
            if (k != EMPTY && k != TOMBSTONE)
            {
                int j = hash(k) & fresh.mask;
                while (fresh.key(j) != EMPTY)
                {
                    j = (j + 1) & fresh.mask;
                }
                fresh.data[j * STRIDE + KEY] = k;
                fresh.data[j * STRIDE + PORT] = old.data[i * STRIDE + PORT];
                fresh.data[j * STRIDE + SEEN] = old.seen(i);
                fresh.used++;
            }
        }
        slots = fresh;
        return fresh;
    }
}
