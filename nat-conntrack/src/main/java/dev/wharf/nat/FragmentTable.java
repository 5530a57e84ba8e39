package dev.wharf.nat;

import java.lang.invoke.VarHandle;

/**
 * Virtual reassembly, as VPP's ip4-sv-reass does it, without buffering: which flow the fragments of an
 * IPv4 datagram belong to, learnt from its first fragment (the only one carrying the ports) and looked
 * up for the others by {@code (source, destination, protocol, identification, zone)}. A fragment that
 * comes before its first fragment finds nothing and is dropped; senders rarely reorder fragments.
 *
 * <p>Layout: {@link #CAPACITY} entries of four longs in one array (the key's addresses, the key's rest,
 * the flow node and its generation, the expiry), two entries to a cache line. Open addressing within a
 * window of {@link #WAYS} entries from the key's hash: a lookup reads at most that many, and an insert
 * takes the key's own entry, else a free or expired one, else evicts the one expiring soonest. No
 * deletion: entries are never unlinked, they only expire, so there are no tombstones and no chains.
 *
 * <p>Expiry: {@link #LIFETIME_MS} after the first fragment. A datagram's fragments follow one another
 * within microseconds; a long life only lets a reused IP identification match a stale entry (RFC 4963).
 * Such a match hands the fragment the translation of a flow between the same two hosts with the same
 * protocol; a flow removed since is caught by the generation the entry holds.
 *
 * <p>Threads: one per worker, shared by that worker's ip4-nat-in and ip4-nat-out, run on its thread;
 * no locks. That assumes the fragments of one datagram reach one worker: the kernel's AF_PACKET fanout
 * hash uses only the L3 addresses for a fragment (it has no ports), and so must any other dispatcher.
 */
final class FragmentTable
{
    /** Entries; a power of two. */
    static final int CAPACITY = 1_024;
    /** How many consecutive entries a key may occupy. */
    static final int WAYS = 4;
    static final long LIFETIME_MS = 3_000;
    /** {@link #lookup}: no live entry for the key. */
    static final long NOT_FOUND = -1;
    /** {@link #peerAddresses}: the flow is gone. Never a flow's peer addresses (limited broadcast both ways is never tracked). */
    static final long FLOW_GONE = -1;

    private static final int STRIDE = 4;
    private static final int ADDRESSES = 0;
    private static final int KEY = 1;
    private static final int FLOW = 2;
    private static final int EXPIRES_AT = 3;
    /** The flow word of an entry never written: a node of -1 (real ones are >= 0). */
    private static final long EMPTY = -1;

    private final long[] entries = new long[CAPACITY * STRIDE];

    FragmentTable()
    {
        for (int e = 0; e < CAPACITY; e++)
        {
            entries[e * STRIDE + FLOW] = EMPTY;
        }
    }

    /** The key's second half: protocol, zone and IP identification. */
    static long key(final int protocol, final int zone, final int identification)
    {
        return ((long)(protocol & 0xFF) << 32) | ((long)(zone & 0xFFFF) << 16) | (identification & 0xFFFF);
    }

    /** Remembers that the datagram {@code (addresses, key)} belongs to {@code node} of the flow's {@code generation}. */
    void put(final long addresses, final long key, final int node, final int generation, final long nowMs)
    {
        final int first = slot(addresses, key);
        int victim = -1;
        long victimExpiresAt = Long.MAX_VALUE;
        for (int w = 0; w < WAYS; w++)
        {
            final int at = ((first + w) & (CAPACITY - 1)) * STRIDE;
            final long expiresAt = entries[at + EXPIRES_AT];
            if (entries[at + FLOW] == EMPTY || expiresAt - nowMs <= 0)
            {
                if (victimExpiresAt != Long.MIN_VALUE)
                {
                    victim = at; // the first free one, unless the key's own entry comes later
                    victimExpiresAt = Long.MIN_VALUE;
                }
                continue;
            }
            if (entries[at + ADDRESSES] == addresses && entries[at + KEY] == key)
            {
                victim = at; // a first fragment seen again (retransmitted): refresh it
                break;
            }
            if (expiresAt < victimExpiresAt)
            {
                victim = at;
                victimExpiresAt = expiresAt;
            }
        }
        entries[victim + ADDRESSES] = addresses;
        entries[victim + KEY] = key;
        entries[victim + FLOW] = ((long)node << 32) | (generation & 0xFFFF_FFFFL);
        entries[victim + EXPIRES_AT] = nowMs + LIFETIME_MS;
    }

    /**
     * The peer addresses (the translation) of the flow a {@link #lookup} hit names, read under the
     * flow's generation check, or {@link #FLOW_GONE} when that flow has been removed since its first
     * fragment was seen.
     */
    static long peerAddresses(final long found, final ConntrackTable table)
    {
        final int node = node(found);
        final long peerAddresses = table.nodeAddresses(node ^ 1);
        VarHandle.loadLoadFence(); // the translation read before the generation check that vouches for it
        return table.generation(ConntrackTable.flowOf(node)) == generation(found) ? peerAddresses : FLOW_GONE;
    }

    /** @return {@code node << 32 | generation} ({@link #node}, {@link #generation}), or {@link #NOT_FOUND}. */
    long lookup(final long addresses, final long key, final long nowMs)
    {
        final int first = slot(addresses, key);
        for (int w = 0; w < WAYS; w++)
        {
            final int at = ((first + w) & (CAPACITY - 1)) * STRIDE;
            if (entries[at + ADDRESSES] == addresses && entries[at + KEY] == key && entries[at + FLOW] != EMPTY &&
                entries[at + EXPIRES_AT] - nowMs > 0)
            {
                return entries[at + FLOW];
            }
        }
        return NOT_FOUND;
    }

    static int node(final long found)
    {
        return (int)(found >>> 32);
    }

    static int generation(final long found)
    {
        return (int)found;
    }

    private static int slot(final long addresses, final long key)
    {
        return FlowKey.hash(addresses, key) & (CAPACITY - 1);
    }
}
