package dev.wharf.dataplane.l3;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One network's IPv4 neighbours (its ARP cache): address to MAC, learned from ARP and from the
 * source of IPv4 packets the gateway receives ("gleaning"), and marked while the gateway resolves
 * an address so it asks at most once per {@link #PROBE_INTERVAL_MS}.
 *
 * <p>Open addressing over primitive arrays. A slot's key is claimed once by compare-and-set and
 * never changes; its value (the MAC and a valid bit) is one {@code long} written with release
 * semantics, so lookups take no lock and never see half an entry. Any thread.
 */
public final class NeighbourTable
{
    /** {@link #lookup} found no usable MAC. */
    public static final long MISSING = -1;
    public static final long PROBE_INTERVAL_MS = 1_000;
    public static final int CAPACITY_DEFAULT = 4_096;

    private static final long VALID = 1L << 63;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final int MAX_PROBES = 32;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    private final int[] keys;
    private final long[] values;
    private final long[] updatedMs;
    private final long[] probedMs;

    public NeighbourTable(final int capacity)
    {
        final int slots = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        this.mask = slots - 1;
        this.keys = new int[slots];
        this.values = new long[slots];
        this.updatedMs = new long[slots];
        this.probedMs = new long[slots];
    }

    /** @return the MAC of {@code ip}, or {@link #MISSING}. */
    public long lookup(final int ip)
    {
        final int slot = find(ip);
        if (slot < 0)
        {
            return MISSING;
        }
        final long value = (long)LONGS.getAcquire(values, slot);
        return (value & VALID) != 0 ? value & MAC_MASK : MISSING;
    }

    /** Records that {@code ip} is at {@code mac}; a plain refresh writes only when something changed. */
    public void learn(final int ip, final long mac, final long nowMs)
    {
        if (ip == 0)
        {
            return;
        }
        final int slot = claim(ip);
        if (slot < 0)
        {
            return; // full: resolution goes on working by asking again
        }
        final long value = VALID | (mac & MAC_MASK);
        if ((long)LONGS.getAcquire(values, slot) != value)
        {
            LONGS.setRelease(values, slot, value);
        }
        if ((long)LONGS.getOpaque(updatedMs, slot) != nowMs)
        {
            LONGS.setOpaque(updatedMs, slot, nowMs);
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
        final int slot = claim(ip);
        if (slot < 0)
        {
            return true;
        }
        final long last = (long)LONGS.getOpaque(probedMs, slot);
        if (last != 0 && nowMs - last < PROBE_INTERVAL_MS)
        {
            return false;
        }
        return LONGS.compareAndSet(probedMs, slot, last, Math.max(1, nowMs));
    }

    /** Forgets {@code ip}'s MAC (an ARP reply will be needed again); control plane. */
    public void forget(final int ip)
    {
        final int slot = find(ip);
        if (slot >= 0)
        {
            LONGS.setRelease(values, slot, 0L);
        }
    }

    /** Visits every resolved neighbour; control plane (listings). */
    public void forEach(final Visitor visitor)
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            final int ip = (int)INTS.getAcquire(keys, slot);
            final long value = (long)LONGS.getAcquire(values, slot);
            if (ip != 0 && (value & VALID) != 0)
            {
                visitor.visit(ip, value & MAC_MASK, (long)LONGS.getOpaque(updatedMs, slot));
            }
        }
    }

    /** Receives one neighbour of {@link #forEach}. */
    @FunctionalInterface
    public interface Visitor
    {
        void visit(int ip, long mac, long updatedMs);
    }

    private int find(final int ip)
    {
        int slot = hash(ip) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final int key = (int)INTS.getAcquire(keys, slot);
            if (key == ip)
            {
                return slot;
            }
            if (key == 0)
            {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private int claim(final int ip)
    {
        int slot = hash(ip) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++)
        {
            final int key = (int)INTS.getAcquire(keys, slot);
            if (key == ip)
            {
                return slot;
            }
            if (key == 0)
            {
                if (INTS.compareAndSet(keys, slot, 0, ip))
                {
                    return slot;
                }
                if ((int)INTS.getAcquire(keys, slot) == ip)
                {
                    return slot; // another thread claimed it for the same address
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
