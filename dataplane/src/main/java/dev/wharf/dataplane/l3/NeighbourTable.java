package dev.wharf.dataplane.l3;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One network's IPv4 neighbours (its ARP cache): address to MAC, learned from ARP and from the
 * source of IPv4 packets the gateway receives ("gleaning"), and marked while the gateway resolves
 * an address so it asks at most once per {@link #PROBE_INTERVAL_MS}.
 *
 * <p>Open addressing over one {@code long[]}: a slot is four longs (key, value, updated time, probe
 * time), as in {@link dev.wharf.dataplane.l2.FdbTable}, so a lookup or a refresh touches one cache
 * line (two when the slot straddles one), not one per array as parallel arrays would. A slot's key is claimed once by compare-and-set and never changes; its value (the MAC and
 * a valid bit) is one {@code long} written with release semantics, so lookups take no lock and never
 * see half an entry. A refresh that changes nothing writes nothing, and the updated time is kept to
 * {@link #REFRESH_GRANULARITY_MS} (it only serves listings), so gleaning every routed packet's
 * sender does not dirty a shared line per packet. Any thread.
 */
public final class NeighbourTable
{
    /** {@link #lookup} found no usable MAC. */
    public static final long MISSING = -1;
    public static final long PROBE_INTERVAL_MS = 1_000;
    /** A refresh of an unchanged entry writes its time only when it is at least this old. */
    public static final long REFRESH_GRANULARITY_MS = 1_000;
    public static final int CAPACITY_DEFAULT = 4_096;

    private static final long VALID = 1L << 63;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final int MAX_PROBES = 32;
    private static final int SLOT_SHIFT = 2;
    private static final int KEY = 0;
    private static final int VALUE = 1;
    private static final int UPDATED = 2;
    private static final int PROBED = 3;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    /** Slot s at [s << 2 ...]: key (the address, 0 free), VALID | MAC, updated ms, probed ms. */
    private final long[] table;

    public NeighbourTable(final int capacity)
    {
        final int slots = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        this.mask = slots - 1;
        this.table = new long[slots << SLOT_SHIFT];
    }

    /** @return the MAC of {@code ip}, or {@link #MISSING}. */
    public long lookup(final int ip)
    {
        final int base = find(ip);
        if (base < 0)
        {
            return MISSING;
        }
        final long value = (long)LONGS.getAcquire(table, base + VALUE);
        return (value & VALID) != 0 ? value & MAC_MASK : MISSING;
    }

    /**
     * Records that {@code ip} is at {@code mac}. A refresh writes only what changed: the value when the
     * MAC is new or different, the time when it is {@link #REFRESH_GRANULARITY_MS} old (or the value changed).
     */
    public void learn(final int ip, final long mac, final long nowMs)
    {
        if (ip == 0)
        {
            return;
        }
        final int base = claim(ip);
        if (base < 0)
        {
            return; // full: resolution goes on working by asking again
        }
        final long value = VALID | (mac & MAC_MASK);
        final long[] table = this.table;
        if ((long)LONGS.getAcquire(table, base + VALUE) != value)
        {
            LONGS.setOpaque(table, base + UPDATED, nowMs); // before the value: who sees the value sees a time
            LONGS.setRelease(table, base + VALUE, value);
        }
        else if (nowMs - (long)LONGS.getOpaque(table, base + UPDATED) >= REFRESH_GRANULARITY_MS)
        {
            LONGS.setOpaque(table, base + UPDATED, nowMs);
        }
    }

    /**
     * Asks whether the caller should send an ARP request for {@code ip} now: true at most once per
     * {@link #PROBE_INTERVAL_MS} for an address, across all threads.
     */
    public boolean shouldProbe(final int ip, final long nowMs)
    {
        if (ip == 0)
        {
            return false;
        }
        final int base = claim(ip);
        if (base < 0)
        {
            return true;
        }
        final long last = (long)LONGS.getOpaque(table, base + PROBED);
        if (last != 0 && nowMs - last < PROBE_INTERVAL_MS)
        {
            return false;
        }
        return LONGS.compareAndSet(table, base + PROBED, last, Math.max(1, nowMs));
    }

    /** Forgets {@code ip}'s MAC (an ARP reply will be needed again); control plane. */
    public void forget(final int ip)
    {
        final int base = find(ip);
        if (base >= 0)
        {
            LONGS.setRelease(table, base + VALUE, 0L);
        }
    }

    /** Visits every resolved neighbour; control plane (listings). */
    public void forEach(final Visitor visitor)
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            final int base = slot << SLOT_SHIFT;
            final int ip = (int)(long)LONGS.getAcquire(table, base + KEY);
            final long value = (long)LONGS.getAcquire(table, base + VALUE);
            if (ip != 0 && (value & VALID) != 0)
            {
                visitor.visit(ip, value & MAC_MASK, (long)LONGS.getOpaque(table, base + UPDATED));
            }
        }
    }

    /** Receives one neighbour of {@link #forEach}. */
    @FunctionalInterface
    public interface Visitor
    {
        void visit(int ip, long mac, long updatedMs);
    }

    /** @return the index of {@code ip}'s slot in {@link #table}, or -1. */
    private int find(final int ip)
    {
        return slotOf(ip, false);
    }

    /** @return the index of {@code ip}'s slot, claimed for it when it had none, or -1 when the probe run is full. */
    private int claim(final int ip)
    {
        return slotOf(ip, true);
    }

    private int slotOf(final int ip, final boolean claimIfAbsent)
    {
        final long key = ip & 0xFFFF_FFFFL;
        final long[] table = this.table;
        int slot = hash(ip) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final int base = slot << SLOT_SHIFT;
            final long found = (long)LONGS.getAcquire(table, base + KEY);
            if (found == key)
            {
                return base;
            }
            if (found == 0)
            {
                if (!claimIfAbsent)
                {
                    return -1;
                }
                if (LONGS.compareAndSet(table, base + KEY, 0L, key) || (long)LONGS.getAcquire(table, base + KEY) == key)
                {
                    return base; // ours, or another thread claimed it for the same address
                }
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static int hash(final int ip)
    {
        final int h = ip * 0x9E37_79B9;
        return h ^ (h >>> 16);
    }
}
