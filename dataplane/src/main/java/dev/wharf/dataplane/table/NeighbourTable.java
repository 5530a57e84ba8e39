package dev.wharf.dataplane.table;

import org.agrona.BitUtil;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One network's IPv4 neighbours (its ARP cache): address to MAC, learned from ARP and from the
 * source of IPv4 packets the gateway receives ("gleaning"), aged as Linux's neighbour table ages them.
 *
 * <p>States, after Linux's (net/core/neighbour.c; base_reachable_time 30 s, retrans_time 1 s,
 * ucast_probes and mcast_solicit 3, gc_stale_time 60 s), derived from two times per entry rather than
 * driven by timers:
 * <ul>
 * <li>INCOMPLETE: asked for ({@link #shouldProbe}) but never answered; {@link #lookup(int, long)}
 * says {@link #MISSING} and ip4-arp asks again at most once per {@link #PROBE_INTERVAL_MS}.</li>
 * <li>REACHABLE: confirmed ({@link #learn}: an ARP request or reply, or a gleaned packet) less than
 * {@link #REACHABLE_MS} ago.</li>
 * <li>STALE: older than that. The MAC is still used, so traffic keeps flowing, but the lookup
 * marks it {@link #isStale stale} and {@link #needsRefresh} hands one caller a time (at most one a
 * {@link #PROBE_INTERVAL_MS}, by compare-and-set on the probe word) to ask the neighbour again, by
 * unicast to the MAC it has (Linux's PROBE; Linux's DELAY, 5 s of waiting for TCP to confirm the
 * neighbour first, is left out: no layer here confirms anything that gleaning has not already).</li>
 * <li>FAILED: {@link #MAX_PROBES} requests went unanswered, and the last one for {@link #PROBE_INTERVAL_MS}.
 * The lookup says {@link #MISSING}, so packets go to ip4-arp, which asks by broadcast as for an
 * unknown neighbour (and drops, counted, while it waits). Any confirmation makes it REACHABLE.</li>
 * </ul>
 * An entry no packet has needed for {@link #GC_STALE_MS} (no confirmation and no probe for that long
 * past the end of its reachable time, or since an unanswered entry's last request) is removed by
 * {@link #expire}, which ip4-arp's duty-cycle work calls, a pass per table a second at most.
 *
 * <p>Layout: open addressing over one {@code long[]}; a slot is four longs (key, value, updated time,
 * probe word), as in {@link dev.wharf.dataplane.table.FdbTable}, so a lookup touches one cache line (two
 * when the slot straddles one). The key holds the address and the slot's generation; a slot is
 * claimed by compare-and-set, and {@link #expire} turns a dead one into a tombstone that a later claim
 * reuses (or into an empty slot when nothing lies past it). The value is the MAC, a valid bit and the
 * low bits of the generation it was written for, in one {@code long} written with release semantics:
 * a lookup that found the key of generation g uses only a value tagged g, so it never returns the MAC
 * of an address that used the slot before or after, and never sees half an entry, with no lock and no
 * re-check. (A writer that stalls while a slot lives through 2^15 generations could defeat the tag;
 * removal happens at most once a second per slot.) The probe word packs the time of the last request
 * with the number sent since the last confirmation; a confirmation is any update at or after that time.
 *
 * <p>Writes are kept off the per-packet path: a refresh that changes nothing writes nothing, and the
 * updated time is rewritten only when it is {@link #REFRESH_GRANULARITY_MS} old or a request awaits
 * an answer, so gleaning every routed packet's sender does not dirty a shared line per packet. Races
 * with removal lose at most a write (the next packet claims or learns again) or give an entry a
 * second slot that no lookup reaches and the next pass removes. Any thread; times are the caller's
 * monotonic milliseconds.
 */
public final class NeighbourTable
{
    /** {@link #lookup} found no usable MAC. */
    public static final long MISSING = -1;
    /** How long a confirmation keeps an entry REACHABLE (Linux's base_reachable_time, without the random factor). */
    public static final long REACHABLE_MS = 30_000;
    /** The least time between two requests for an address (Linux's retrans_time). */
    public static final long PROBE_INTERVAL_MS = 1_000;
    /** Unanswered requests after which a stale entry is FAILED (Linux's ucast_probes, mcast_solicit). */
    public static final int MAX_PROBES = 3;
    /** How long an entry nothing needs is kept past its reachable time or its last request (gc_stale_time). */
    public static final long GC_STALE_MS = 60_000;
    /** The least time between two {@link #expire} passes over one table. */
    public static final long EXPIRY_INTERVAL_MS = 1_000;
    /** A refresh of an unchanged entry writes its time only when it is at least this old. */
    public static final long REFRESH_GRANULARITY_MS = 1_000;
    public static final int CAPACITY_DEFAULT = 4_096;
    /** The confirmation time of a permanent entry: later than any clock reading, far from overflowing when aged. */
    private static final long PERMANENT_MS = Long.MAX_VALUE / 4;

    /** Set in a {@link #lookup(int, long)} result for a STALE entry; {@link #mac} strips it. */
    private static final long STALE_FLAG = 1L << 62;

    /** What {@link #forEach(long, StateVisitor)} says of an entry. */
    public enum State
    {
        INCOMPLETE,
        REACHABLE,
        STALE,
        FAILED
    }

    private static final long VALID = 1L << 63;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final int TAG_SHIFT = 48;
    private static final long TAG_MASK = 0x7FFF;
    private static final long IP_MASK = 0xFFFF_FFFFL;
    private static final long TOMBSTONE = 1L << 62;
    private static final long GENERATION_MASK = 0x3FFF_FFFFL << 32;
    private static final long GENERATION_ONE = 1L << 32;
    private static final int COUNT_SHIFT = 56;
    private static final long TIME_MASK = (1L << COUNT_SHIFT) - 1;
    private static final int MAX_COUNT = 0xFF;
    private static final int MAX_RUN = 32;
    private static final int CLAIM_ATTEMPTS = 4;
    private static final long NEVER = Long.MIN_VALUE;
    private static final int SLOT_SHIFT = 2;
    private static final int KEY = 0;
    private static final int VALUE = 1;
    private static final int UPDATED = 2;
    private static final int PROBED = 3;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle EXPIRED_MS;

    static
    {
        try
        {
            EXPIRED_MS = MethodHandles.lookup().findVarHandle(NeighbourTable.class, "expiredMs", long.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    /**
     * Slot s at [s << 2 ...]: key (generation << 32 | address; address 0 with TOMBSTONE set: removed,
     * without: empty), VALID | generation tag << 48 | MAC, updated ms (confirmed, or created while
     * INCOMPLETE), probe word (requests since confirmation << 56 | ms of the last; 0 never).
     */
    private final long[] table;
    /** When the last {@link #expire} pass started; claimed by compare-and-set. */
    @SuppressWarnings("unused")
    private volatile long expiredMs = NEVER;

    public NeighbourTable(final int capacity)
    {
        final int slots = BitUtil.findNextPositivePowerOfTwo(Math.max(32, capacity));
        this.mask = slots - 1;
        this.table = new long[slots << SLOT_SHIFT];
    }

    /** @return the MAC {@code ip} was last confirmed at, whatever its age, or {@link #MISSING}; control plane and tests. */
    public long lookup(final int ip)
    {
        final long found = locate(ip, false, 0);
        if (found < 0)
        {
            return MISSING;
        }
        final long value = (long)LONGS.getAcquire(table, (int)found + VALUE);
        return isValid(value, found) ? value & MAC_MASK : MISSING;
    }

    /**
     * The forwarding lookup: {@link #MISSING} when {@code ip} is unknown, INCOMPLETE or FAILED, else its
     * MAC, {@link #isStale flagged} when the entry is STALE. Take the MAC with {@link #mac}.
     */
    public long lookup(final int ip, final long nowMs)
    {
        final long found = locate(ip, false, 0);
        if (found < 0)
        {
            return MISSING;
        }
        final long[] table = this.table;
        final int base = (int)found;
        final long value = (long)LONGS.getAcquire(table, base + VALUE);
        if (!isValid(value, found))
        {
            return MISSING;
        }
        final long updatedMs = (long)LONGS.getOpaque(table, base + UPDATED);
        if (nowMs - updatedMs < REACHABLE_MS)
        {
            return value & MAC_MASK;
        }
        return isFailed(updatedMs, (long)LONGS.getOpaque(table, base + PROBED), nowMs) ? MISSING : (value & MAC_MASK) | STALE_FLAG;
    }

    /** @return the MAC of a {@link #lookup(int, long)} result other than {@link #MISSING}. */
    public static long mac(final long lookup)
    {
        return lookup & MAC_MASK;
    }

    /** @return whether a {@link #lookup(int, long)} result other than {@link #MISSING} is of a STALE entry. */
    public static boolean isStale(final long lookup)
    {
        return (lookup & STALE_FLAG) != 0;
    }

    /**
     * Records that {@code ip} is at {@code mac}: a confirmation, which makes the entry REACHABLE. A refresh
     * writes only what changed: the value when the MAC is new or different, the time when it is
     * {@link #REFRESH_GRANULARITY_MS} old, or older than the last request (which it answers).
     */
    public void learn(final int ip, final long mac, final long nowMs)
    {
        if (ip == 0)
        {
            return;
        }
        final long found = locate(ip, true, nowMs);
        if (found < 0)
        {
            return; // full: resolution goes on working by asking again
        }
        final long[] table = this.table;
        final int base = (int)found;
        final long value = VALID | tagOf(found) | (mac & MAC_MASK);
        if ((long)LONGS.getAcquire(table, base + VALUE) != value)
        {
            LONGS.setOpaque(table, base + UPDATED, nowMs); // before the value: who sees the value sees a time
            LONGS.setRelease(table, base + VALUE, value);
            return;
        }
        final long updatedMs = (long)LONGS.getOpaque(table, base + UPDATED);
        if (nowMs - updatedMs >= REFRESH_GRANULARITY_MS || isAwaitingAnswer(updatedMs, (long)LONGS.getOpaque(table, base + PROBED)))
        {
            LONGS.setOpaque(table, base + UPDATED, nowMs);
        }
    }

    /**
     * Asks whether the caller should send a broadcast ARP request for {@code ip} now (it is unknown,
     * INCOMPLETE or FAILED, or no port is known for its MAC): true at most once per
     * {@link #PROBE_INTERVAL_MS} for an address, across all threads.
     */
    public boolean shouldProbe(final int ip, final long nowMs)
    {
        if (ip == 0)
        {
            return false;
        }
        final long found = locate(ip, true, nowMs);
        if (found < 0)
        {
            return true;
        }
        final long[] table = this.table;
        final int base = (int)found;
        final long probe = (long)LONGS.getOpaque(table, base + PROBED);
        if (probe != 0 && nowMs - probeTime(probe) < PROBE_INTERVAL_MS)
        {
            return false;
        }
        final long value = (long)LONGS.getAcquire(table, base + VALUE);
        final long updatedMs = (long)LONGS.getOpaque(table, base + UPDATED);
        final int sent = isValid(value, found) ? unanswered(updatedMs, probe) : asked(updatedMs, probe);
        return LONGS.compareAndSet(table, base + PROBED, probe, probeWord(sent + 1, nowMs));
    }

    /**
     * Asks whether the caller should send a unicast ARP request to refresh STALE {@code ip} now: true
     * for one caller at most once per {@link #PROBE_INTERVAL_MS}, and at most {@link #MAX_PROBES} times
     * between confirmations (then the entry fails).
     */
    public boolean needsRefresh(final int ip, final long nowMs)
    {
        final long found = locate(ip, false, 0);
        if (found < 0)
        {
            return false;
        }
        final long[] table = this.table;
        final int base = (int)found;
        final long value = (long)LONGS.getAcquire(table, base + VALUE);
        final long updatedMs = (long)LONGS.getOpaque(table, base + UPDATED);
        if (!isValid(value, found) || nowMs - updatedMs < REACHABLE_MS)
        {
            return false;
        }
        final long probe = (long)LONGS.getOpaque(table, base + PROBED);
        final int sent = unanswered(updatedMs, probe);
        if (sent >= MAX_PROBES || (probe != 0 && nowMs - probeTime(probe) < PROBE_INTERVAL_MS))
        {
            return false;
        }
        return LONGS.compareAndSet(table, base + PROBED, probe, probeWord(sent + 1, nowMs));
    }

    /**
     * Records {@code ip} at {@code mac} for good (Linux's NUD_PERMANENT, which Docker's overlay driver gives
     * remote endpoints): the entry is confirmed at a time far in the future, so it is REACHABLE, never
     * probed and never expired, until {@link #forget} or an ARP answer with another MAC replaces it. A
     * gateway needs this for a host behind a tunnel: its ARP reply would be answered by the far host's own
     * gateway, which has the same MAC. Control plane.
     */
    public void learnPermanent(final int ip, final long mac)
    {
        learn(ip, mac, PERMANENT_MS);
    }

    /** Forgets {@code ip}'s MAC (an ARP reply will be needed again); control plane. */
    public void forget(final int ip)
    {
        final long found = locate(ip, false, 0);
        if (found >= 0)
        {
            LONGS.setRelease(table, (int)found + VALUE, tagOf(found));
        }
    }

    /**
     * Removes the entries nothing has needed for {@link #GC_STALE_MS} (see the class comment): one pass
     * over the table, done by one caller at most once per {@link #EXPIRY_INTERVAL_MS}, 0 for the others.
     * The pass runs from the last slot down, so a tombstone that ends a probe run empties and the one
     * before it can empty next. Any thread; no lock, no allocation.
     *
     * @return entries removed.
     */
    public int expire(final long nowMs)
    {
        final long last = (long)EXPIRED_MS.getOpaque(this);
        if ((last != NEVER && nowMs - last < EXPIRY_INTERVAL_MS) || !EXPIRED_MS.compareAndSet(this, last, nowMs))
        {
            return 0;
        }
        final long[] table = this.table;
        int removed = 0;
        for (int slot = mask; slot >= 0; slot--)
        {
            final int base = slot << SLOT_SHIFT;
            long key = (long)LONGS.getAcquire(table, base + KEY);
            if ((key & IP_MASK) != 0 && isDead(key, base, nowMs))
            {
                final long tombstone = (key & GENERATION_MASK) | TOMBSTONE;
                if (LONGS.compareAndSet(table, base + KEY, key, tombstone))
                {
                    removed++;
                    key = tombstone;
                }
            }
            if ((key & TOMBSTONE) != 0 && isEmpty((long)LONGS.getAcquire(table, (((slot + 1) & mask) << SLOT_SHIFT) + KEY)))
            {
                LONGS.compareAndSet(table, base + KEY, key, key & GENERATION_MASK); // nothing past it needs it to go on
            }
        }
        return removed;
    }

    /** Visits every neighbour with a MAC, whatever its state; control plane (listings). */
    public void forEach(final Visitor visitor)
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            final int base = slot << SLOT_SHIFT;
            final long key = (long)LONGS.getAcquire(table, base + KEY);
            final long value = (long)LONGS.getAcquire(table, base + VALUE);
            if ((key & IP_MASK) != 0 && isValid(value, key))
            {
                visitor.visit((int)key, value & MAC_MASK, (long)LONGS.getOpaque(table, base + UPDATED));
            }
        }
    }

    /** Visits every neighbour, INCOMPLETE ones too (with {@link #MISSING} as their MAC), with its state at {@code nowMs}; control plane. */
    public void forEach(final long nowMs, final StateVisitor visitor)
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            final int base = slot << SLOT_SHIFT;
            final long key = (long)LONGS.getAcquire(table, base + KEY);
            if ((key & IP_MASK) == 0)
            {
                continue;
            }
            final long value = (long)LONGS.getAcquire(table, base + VALUE);
            final long updatedMs = (long)LONGS.getOpaque(table, base + UPDATED);
            final long probe = (long)LONGS.getOpaque(table, base + PROBED);
            final boolean valid = isValid(value, key);
            final State state = !valid ? State.INCOMPLETE :
                nowMs - updatedMs < REACHABLE_MS ? State.REACHABLE :
                isFailed(updatedMs, probe, nowMs) ? State.FAILED : State.STALE;
            visitor.visit((int)key, valid ? value & MAC_MASK : MISSING, state, updatedMs, valid ? unanswered(updatedMs, probe) : asked(updatedMs, probe));
        }
    }

    /** Receives one neighbour of {@link #forEach(Visitor)}. */
    @FunctionalInterface
    public interface Visitor
    {
        void visit(int ip, long mac, long updatedMs);
    }

    /** Receives one neighbour of {@link #forEach(long, StateVisitor)}: {@code probes} are requests sent since its last confirmation. */
    @FunctionalInterface
    public interface StateVisitor
    {
        void visit(int ip, long mac, State state, long updatedMs, int probes);
    }

    /** Nothing needs the entry in slot {@code base}: not REACHABLE, and neither confirmed nor asked for in {@link #GC_STALE_MS}. */
    private boolean isDead(final long key, final int base, final long nowMs)
    {
        final long[] table = this.table;
        final long value = (long)LONGS.getAcquire(table, base + VALUE);
        final long updatedMs = (long)LONGS.getOpaque(table, base + UPDATED);
        final boolean valid = isValid(value, key);
        if (valid && nowMs - updatedMs < REACHABLE_MS)
        {
            return false;
        }
        final long probe = (long)LONGS.getOpaque(table, base + PROBED);
        final long sinceMs = valid ? updatedMs + REACHABLE_MS : updatedMs;
        return nowMs - sinceMs >= GC_STALE_MS && (probe == 0 || nowMs - probeTime(probe) >= GC_STALE_MS);
    }

    /** Requests went out since the last confirmation: {@link #MAX_PROBES} of them, the last a {@link #PROBE_INTERVAL_MS} ago, or more. */
    private static boolean isFailed(final long updatedMs, final long probe, final long nowMs)
    {
        final int sent = unanswered(updatedMs, probe);
        return sent > MAX_PROBES || (sent == MAX_PROBES && nowMs - probeTime(probe) >= PROBE_INTERVAL_MS);
    }

    private static boolean isAwaitingAnswer(final long updatedMs, final long probe)
    {
        return probe != 0 && probeTime(probe) > updatedMs;
    }

    /** Requests sent since the last confirmation: a confirmation at or after the last request answers them all. */
    private static int unanswered(final long updatedMs, final long probe)
    {
        return isAwaitingAnswer(updatedMs, probe) ? probeCount(probe) : 0;
    }

    /** Requests sent for an entry without a MAC since {@code createdMs}; older ones were for the slot's last owner. */
    private static int asked(final long createdMs, final long probe)
    {
        return probe != 0 && probeTime(probe) >= createdMs ? probeCount(probe) : 0;
    }

    private static long probeWord(final int count, final long nowMs)
    {
        return ((long)Math.min(count, MAX_COUNT) << COUNT_SHIFT) | (nowMs & TIME_MASK);
    }

    private static int probeCount(final long probe)
    {
        return (int)(probe >>> COUNT_SHIFT);
    }

    private static long probeTime(final long probe)
    {
        return (probe << (64 - COUNT_SHIFT)) >> (64 - COUNT_SHIFT);
    }

    /** @param generation a key, or a {@link #locate} result: both hold the generation in the same bits. */
    private static long tagOf(final long generation)
    {
        return ((generation >>> 32) & TAG_MASK) << TAG_SHIFT;
    }

    private static boolean isValid(final long value, final long generation)
    {
        return (value & (VALID | (TAG_MASK << TAG_SHIFT))) == (VALID | tagOf(generation));
    }

    private static boolean isEmpty(final long key)
    {
        return (key & (IP_MASK | TOMBSTONE)) == 0;
    }

    /**
     * @return the slot's generation bits | the index of {@code ip}'s slot in {@link #table}, or -1; when
     * {@code claimIfAbsent}, a slot is claimed for it (the first removed or empty one of its probe run)
     * when it had none, with {@code nowMs} as its creation time.
     */
    private long locate(final int ip, final boolean claimIfAbsent, final long nowMs)
    {
        if (ip == 0)
        {
            return -1; // address 0 marks removed and empty slots
        }
        final long address = ip & IP_MASK;
        final long[] table = this.table;
        final int home = hash(ip) & mask;
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++)
        {
            int free = -1;
            long freeKey = 0;
            int slot = home;
            for (int probe = 0; probe < MAX_RUN; probe++)
            {
                final int base = slot << SLOT_SHIFT;
                final long key = (long)LONGS.getAcquire(table, base + KEY);
                if ((key & IP_MASK) == address)
                {
                    return (key & GENERATION_MASK) | base;
                }
                if ((key & IP_MASK) == 0 && free < 0)
                {
                    free = base;
                    freeKey = key;
                }
                if (isEmpty(key))
                {
                    break; // the end of the run: the address is not past it
                }
                slot = (slot + 1) & mask;
            }
            if (!claimIfAbsent || free < 0)
            {
                return -1;
            }
            final long claimed = ((freeKey + GENERATION_ONE) & GENERATION_MASK) | address;
            if (LONGS.compareAndSet(table, free + KEY, freeKey, claimed))
            {
                LONGS.setOpaque(table, free + UPDATED, nowMs);
                return (claimed & GENERATION_MASK) | free;
            }
            // another thread took or emptied the slot first: look again, it may have claimed it for this address
        }
        return -1;
    }

    private static int hash(final int ip)
    {
        // one multiply (Fibonacci hashing): Agrona's Hashing.hash(int) takes two and three shifts, per routed packet
        final int h = ip * 0x9E37_79B9;
        return h ^ (h >>> 16);
    }
}
