package dev.wharf.nat;

/**
 * One worker's packets and bytes of marked flows (a load-balancer backend's, {@link ConnectionState#mark}),
 * by mark and direction: plain {@code long}s written only by that worker's ip4-nat-in, summed across
 * workers only when read ({@link NatService#markTotals}), as the dataplane's {@code WorkerCounters} are.
 * A mark's four counters lie together (32 bytes, one cache line per worker): a packet costs one
 * increment pair on it, no shared write. Every mark has its slots (1 MiB per worker), so the array never
 * grows under a worker.
 *
 * <p>A mark's counters only ever grow; an owner that reuses a mark keeps its own baseline of what the
 * mark had counted before (the workers' arrays are theirs alone to write).
 *
 * <p>Threads: {@link #count} on the owning worker only; {@link #get} from any thread, a value at worst a
 * moment old.
 */
public final class MarkCounters
{
    /** Packets in the flow's original direction (client to backend). */
    public static final int PACKETS_IN = 0;
    /** Bytes from the IPv4 header on, original direction. */
    public static final int BYTES_IN = 1;
    /** Packets in the reply direction (backend to client): where they pass here (not direct server return). */
    public static final int PACKETS_OUT = 2;
    public static final int BYTES_OUT = 3;
    /** Counters per mark. */
    public static final int COUNTERS = 4;

    private final long[] values = new long[(ConnectionState.MAX_MARK + 1) * COUNTERS];

    MarkCounters()
    {
    }

    /**
     * One packet of {@code bytes} (from its IPv4 header on) of a flow marked {@code mark} (1..{@value ConnectionState#MAX_MARK}),
     * in {@code direction} (0 original, 1 reply). Worker thread only.
     */
    void count(final int mark, final int direction, final int bytes)
    {
        final int at = mark << 2 | direction << 1;
        final long[] values = this.values;
        values[at]++;
        values[at + 1] += bytes;
    }

    /** Counter {@code counter} ({@link #PACKETS_IN}...) of {@code mark}; any thread. */
    public long get(final int mark, final int counter)
    {
        return values[mark * COUNTERS + counter];
    }
}
