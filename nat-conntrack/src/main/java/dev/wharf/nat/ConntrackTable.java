package dev.wharf.nat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.BitUtil;
import org.agrona.UnsafeApi;

/**
 * Connection tracking entries in primitive arrays: no object per flow. Every flow has two index
 * nodes, its original tuple ({@code node = flow * 2}) and its reply tuple ({@code flow * 2 + 1}),
 * chained into hash buckets, so one lookup finds a flow from either direction and says which. The
 * reply tuple carries the NAT translation (as in Linux: a translated flow's reply tuple differs from
 * the original reversed).
 *
 * <p>Layout: what one lookup touches lies together. A flow is one 64-byte record (one cache line: the
 * array is aligned on the heap's large-object alignment) of eight longs: the original tuple, the
 * reply tuple, the two nodes' chain links, the generation and state word, the expiry. A lookup of a
 * flow that is there touches two lines, its bucket head and the flow's record, and a worker finding
 * the flow then reads its translation, state and expiry from the line it already has. A batch can
 * overlap those misses: {@link #bucket}, {@link #head}, {@link #touch} and {@link #candidate} let a
 * node load every packet's head, then every first record, then the second records where the first was
 * another flow's, before it does the lookups ({@link #lookup(int, long, long)}).
 *
 * <p>Thread safety and lock order: lookups take no lock. Each flow has a generation, odd while
 * live; a reader reads it before and after comparing a node's key (a sequence lock), so a flow
 * freed and reused under it is never mistaken for a match. Creating and removing flows lock the
 * stripes of both buckets involved, the lower stripe first; the free list has its own lock, taken
 * last and alone. No lock is held for more than a chain walk, so expiry, however many flows it
 * removes, never stalls a worker for longer than that.
 */
public final class ConntrackTable
{
    public static final int NOT_FOUND = -1;
    /** No free entry: the table is at its limit. */
    public static final int FULL = -2;
    /** The reply tuple is already another flow's (a NAT port clash): choose another translation. */
    public static final int CLASH = -3;

    private static final int NIL = -1;
    private static final int MAX_LOCK_FREE_WALK = 64;
    private static final int STRIPES = 1024;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Largest capacity: a record array of eight longs per flow must stay within an array's reach. */
    public static final int MAX_CAPACITY = 1 << 27;

    // the record of a flow: longs at record(flow) + ...
    private static final int SHIFT = 3;
    /** Addresses then ports of the original tuple; the reply tuple's follow ({@code + 2 * direction}). */
    private static final int KEY = 0;
    /** The chain link of the original node; the reply node's follows ({@code + direction}). */
    private static final int NEXT = 4;
    /** {@code generation << 32 | state}: one word, so a state change can be conditional on the generation. */
    private static final int GENERATION_STATE = 6;
    private static final int EXPIRES = 7;
    private static final long STATE_MASK = 0xFFFF_FFFFL;
    /** Longs before record 0 so records start on a cache line when the array does (large arrays: a region). */
    private static final int PAD = ((64 - longArrayBaseOffset() % 64) % 64) / Long.BYTES;

    private final int capacity;
    private final int bucketMask;
    /**
     * Mixed into every tuple's hash, random per table, so that nobody outside can choose tuples that
     * share a bucket and make lookups walk long chains (Linux seeds its conntrack hash the same way).
     */
    private final long hashSeed = new SecureRandom().nextLong();
    private final int[] heads;
    private final long[] records;
    private final int[] stripeLocks = new int[STRIPES * 16]; // one lock word per cache line
    private final int[] freeFlows;
    private int freeCount;
    private final Object freeLock = new Object();
    private final AtomicInteger size = new AtomicInteger();
    /** Told of marked flows coming and going; {@link FlowListener#NONE} until an owner registers. */
    private volatile FlowListener listener = FlowListener.NONE;
    private int sweepCursor;
    private int evictCursor;

    /** @param capacity most flows held at once. */
    public ConntrackTable(final int capacity)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("conntrack capacity must be 1.." + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        // two to four buckets per node (a flow has two): a lookup's first record is the flow's own in
        // about seven cases of eight, and ip4-nat-in loads the second in a pass of its own. (Twice as
        // many buckets measured no faster at 1M flows once the node's loops were inlined, and made
        // expiry's removals slower: a larger array of heads to reach.)
        final int buckets = BitUtil.findNextPositivePowerOfTwo(Math.max(32, capacity * 4));
        this.bucketMask = buckets - 1;
        this.heads = new int[buckets];
        java.util.Arrays.fill(heads, NIL);
        this.records = new long[PAD + (capacity << SHIFT)];
        this.freeFlows = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeFlows[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * Told when a flow whose state word carries a mark ({@link ConnectionState#mark}) is created, changes
     * its protocol state, and is removed, on the thread that does it: a worker, or the control thread's
     * flush and ends. Flows without a mark call nothing. Every change of a flow's word is one CAS, so a
     * flow's calls follow its words' order, except that a state change may be told before the flow's
     * creation is (the flow is live before {@link #created} returns): a count kept from them may dip below
     * zero for a moment.
     */
    public interface FlowListener
    {
        FlowListener NONE = new FlowListener()
        {
            public void created(final int stateWord)
            {
            }

            public void removed(final int stateWord)
            {
            }
        };

        void created(int stateWord);

        void removed(int stateWord);

        /** The flow's protocol state ({@link ConnectionState#of}) went from {@code before}'s to {@code after}'s. */
        default void changed(final int before, final int after)
        {
        }
    }

    /** Sets the one listener of marked flows (the load balancer's connection counts). */
    public void flowListener(final FlowListener listener)
    {
        this.listener = listener == null ? FlowListener.NONE : listener;
    }

    public int size()
    {
        return size.get();
    }

    private static long handle(final int node, final int generation)
    {
        return ((long)generation << 32) | node;
    }

    /** The node of a handle {@link #lookup} returned. */
    public static int nodeOf(final long handle)
    {
        return (int)handle;
    }

    /** The flow's generation when {@link #lookup} matched it. */
    public static int generationOf(final long handle)
    {
        return (int)(handle >>> 32);
    }

    public static int flowOf(final int node)
    {
        return node >>> 1;
    }

    /** 0 when {@code node} is the flow's original direction, 1 for the reply direction. */
    public static int directionOf(final int node)
    {
        return node & 1;
    }

    /**
     * Finds the flow whose original or reply tuple is this one. Lock-free; any thread.
     *
     * @return a handle: the node ({@link #nodeOf}) and the flow's generation at the time it matched
     * ({@link #generationOf}, for {@link #remove}), or {@link #NOT_FOUND}.
     */
    public long lookup(final long addresses, final long ports)
    {
        return lookup(bucket(addresses, ports), addresses, ports);
    }

    /** The bucket of a tuple, for {@link #head} and {@link #lookup(int, long, long)}. */
    public int bucket(final long addresses, final long ports)
    {
        return FlowKey.hash(addresses ^ hashSeed, ports) & bucketMask;
    }

    /**
     * The first node of {@code bucket}'s chain, or -1, by a plain load: for a batch's first pass, to
     * bring the head's line in (a prefetch). Any value is safe to pass to {@link #touch}.
     */
    public int head(final int bucket)
    {
        return heads[bucket];
    }

    /**
     * Loads (and returns, for the caller to consume so the load stays) a word of {@code node}'s
     * record, bringing its line in: a batch's second pass, after {@link #head}. Any node or -1.
     */
    public long touch(final int node)
    {
        return node < 0 ? 0 : records[record(node >>> 1) + GENERATION_STATE];
    }

    /**
     * The node a batch's lookup should try: {@code head} (a {@link #head}) when it holds this tuple,
     * else the next in its chain, to be loaded by a further pass ({@link #touch}) so that a lookup whose
     * bucket another flow heads does not miss on its own; -1 for an empty bucket. Plain loads of the
     * record {@link #touch} brought in; {@link #lookup(int, int, long, long)} checks the answer.
     */
    public int candidate(final int head, final long addresses, final long ports)
    {
        if (head < 0)
        {
            return NIL;
        }
        final int key = record(head >>> 1) + KEY + ((head & 1) << 1);
        return records[key] == addresses && records[key + 1] == ports ? head : next(head);
    }

    /**
     * {@link #lookup(int, long, long)} that tries {@code candidate} ({@link #candidate}) first: when it
     * holds the tuple, under the generation check, the bucket's chain is not walked.
     */
    public long lookup(final int candidate, final int bucket, final long addresses, final long ports)
    {
        if (candidate >= 0)
        {
            final long handle = match(candidate, addresses, ports);
            if (handle != NOT_FOUND)
            {
                return handle; // a tuple is one live node's at most: this is the flow
            }
        }
        return lookup(bucket, addresses, ports);
    }

    /** {@link #lookup(long, long)} with the tuple's {@link #bucket} already computed. */
    public long lookup(final int bucket, final long addresses, final long ports)
    {
        int node = (int)INTS.getAcquire(heads, bucket);
        int steps = 0;
        while (node != NIL)
        {
            if (++steps > MAX_LOCK_FREE_WALK)
            {
                return lockedLookup(bucket, addresses, ports);
            }
            final long handle = match(node, addresses, ports);
            if (handle != NOT_FOUND)
            {
                return handle;
            }
            node = (int)(long)LONGS.getAcquire(records, record(node >>> 1) + NEXT + (node & 1));
        }
        return NOT_FOUND;
    }

    /**
     * The handle of {@code node} if it holds the tuple and is live, checked as a sequence lock: the
     * generation read before and after the key, so a node freed and reused meanwhile never matches.
     */
    private long match(final int node, final long addresses, final long ports)
    {
        final long[] records = this.records;
        final int record = record(node >>> 1);
        final int key = record + KEY + ((node & 1) << 1);
        final int before = (int)((long)LONGS.getAcquire(records, record + GENERATION_STATE) >>> 32);
        if ((before & 1) != 0 && records[key] == addresses && records[key + 1] == ports)
        {
            VarHandle.loadLoadFence();
            if ((int)((long)LONGS.getVolatile(records, record + GENERATION_STATE) >>> 32) == before)
            {
                return handle(node, before);
            }
        }
        return NOT_FOUND;
    }

    private static int record(final int flow)
    {
        return PAD + (flow << SHIFT);
    }

    private static int longArrayBaseOffset()
    {
        try
        {
            return UnsafeApi.arrayBaseOffset(long[].class);
        }
        catch (final LinkageError | RuntimeException unavailable)
        {
            return 16; // HotSpot's, compressed class pointers or not; only the records' alignment depends on it
        }
    }

    private long lockedLookup(final int bucket, final long addresses, final long ports)
    {
        final int stripe = stripe(bucket);
        lock(stripe);
        try
        {
            final int node = find(bucket, addresses, ports);
            return node == NOT_FOUND ? NOT_FOUND : handle(node, generation(node >>> 1));
        }
        finally
        {
            unlock(stripe);
        }
    }

    /**
     * Creates a flow, unless its original tuple is already tracked (another worker won the race:
     * that flow's node is returned).
     *
     * @return the new (or existing) flow's original node, {@link #FULL} or {@link #CLASH}.
     */
    public int create(
        final long originalAddresses, final long originalPorts, final long replyAddresses, final long replyPorts,
        final int initialState, final long expiresAt)
    {
        final int originalBucket = bucket(originalAddresses, originalPorts);
        final int replyBucket = bucket(replyAddresses, replyPorts);
        final int first = Math.min(stripe(originalBucket), stripe(replyBucket));
        final int second = Math.max(stripe(originalBucket), stripe(replyBucket));
        lock(first);
        if (second != first)
        {
            lock(second);
        }
        try
        {
            final int existing = find(originalBucket, originalAddresses, originalPorts);
            if (existing != NOT_FOUND)
            {
                return existing;
            }
            if (find(replyBucket, replyAddresses, replyPorts) != NOT_FOUND)
            {
                return CLASH;
            }
            final int flow = allocate();
            if (flow < 0)
            {
                return FULL;
            }
            final int original = flow << 1;
            final int reply = original | 1;
            final long[] records = this.records;
            final int record = record(flow);
            records[record + KEY] = originalAddresses;
            records[record + KEY + 1] = originalPorts;
            records[record + KEY + 2] = replyAddresses;
            records[record + KEY + 3] = replyPorts;
            LONGS.setOpaque(records, record + EXPIRES, expiresAt);
            // live (odd generation) with its state in one store: a worker still holding the flow's previous
            // life has an older generation in the word its compareAndSetState expects, so it cannot race this
            final long word = records[record + GENERATION_STATE];
            LONGS.setRelease(records, record + GENERATION_STATE, (((word >>> 32) + 1) << 32) | (initialState & STATE_MASK));
            records[record + NEXT] = heads[originalBucket];
            INTS.setRelease(heads, originalBucket, original);
            records[record + NEXT + 1] = heads[replyBucket];
            INTS.setRelease(heads, replyBucket, reply);
            size.incrementAndGet();
            if (ConnectionState.mark(initialState) != 0)
            {
                listener.created(initialState);
            }
            return original;
        }
        finally
        {
            if (second != first)
            {
                unlock(second);
            }
            unlock(first);
        }
    }

    /** The generation of {@code flow} (odd while live), for {@link #remove}. */
    public int generation(final int flow)
    {
        return (int)((long)LONGS.getAcquire(records, record(flow) + GENERATION_STATE) >>> 32);
    }

    /** {@code generation << 32 | state} of {@code flow}, read at once (see {@link #compareAndSetState(int, long, int)}). */
    public long generationAndState(final int flow)
    {
        return (long)LONGS.getAcquire(records, record(flow) + GENERATION_STATE);
    }

    /**
     * Removes {@code flow} if it is still the generation the caller saw.
     *
     * @return true when this call removed it.
     */
    public boolean remove(final int flow, final int expectedGeneration)
    {
        if ((expectedGeneration & 1) == 0)
        {
            return false;
        }
        final int original = flow << 1;
        final int reply = original | 1;
        final int record = record(flow);
        final int originalBucket = bucket(records[record + KEY], records[record + KEY + 1]);
        final int replyBucket = bucket(records[record + KEY + 2], records[record + KEY + 3]);
        final int first = Math.min(stripe(originalBucket), stripe(replyBucket));
        final int second = Math.max(stripe(originalBucket), stripe(replyBucket));
        long word;
        lock(first);
        if (second != first)
        {
            lock(second);
        }
        try
        {
            do
            {
                word = (long)LONGS.getVolatile(records, record + GENERATION_STATE);
                if ((int)(word >>> 32) != expectedGeneration)
                {
                    return false; // removed (and perhaps reused) by someone else: the buckets above may be stale
                }
            }
            while (!LONGS.compareAndSet(records, record + GENERATION_STATE, word,
                ((long)(expectedGeneration + 1) << 32) | (word & STATE_MASK)));
            unlink(originalBucket, original);
            unlink(replyBucket, reply);
        }
        finally
        {
            if (second != first)
            {
                unlock(second);
            }
            unlock(first);
        }
        size.decrementAndGet();
        release(flow);
        final int state = (int)word;
        if (ConnectionState.mark(state) != 0)
        {
            listener.removed(state);
        }
        return true;
    }

    public long originalAddresses(final int flow)
    {
        return records[record(flow) + KEY];
    }

    public long originalPorts(final int flow)
    {
        return records[record(flow) + KEY + 1];
    }

    public long replyAddresses(final int flow)
    {
        return records[record(flow) + KEY + 2];
    }

    public long replyPorts(final int flow)
    {
        return records[record(flow) + KEY + 3];
    }

    /** The addresses of the tuple of {@code node} (the flow's original or reply), from the flow's record. */
    public long nodeAddresses(final int node)
    {
        return records[record(node >>> 1) + KEY + ((node & 1) << 1)];
    }

    /** The ports of the tuple of {@code node}. */
    public long nodePorts(final int node)
    {
        return records[record(node >>> 1) + KEY + ((node & 1) << 1) + 1];
    }

    public int state(final int flow)
    {
        return (int)(long)LONGS.getOpaque(records, record(flow) + GENERATION_STATE);
    }

    /** Replaces the state if it is still {@code expected} (both directions may update at once), whatever the generation. */
    public boolean compareAndSetState(final int flow, final int expected, final int newState)
    {
        final int at = record(flow) + GENERATION_STATE;
        final long word = (long)LONGS.getVolatile(records, at);
        if ((int)word == expected && LONGS.compareAndSet(records, at, word, (word & ~STATE_MASK) | (newState & STATE_MASK)))
        {
            stateSet(expected, newState);
            return true;
        }
        return false;
    }

    /**
     * Replaces the state if the flow's {@link #generationAndState} word is still {@code expected}: a
     * flow removed or reused since the caller read it is left alone. One CAS.
     */
    public boolean compareAndSetState(final int flow, final long expected, final int newState)
    {
        if (LONGS.compareAndSet(records, record(flow) + GENERATION_STATE, expected, (expected & ~STATE_MASK) | (newState & STATE_MASK)))
        {
            stateSet((int)expected, newState);
            return true;
        }
        return false;
    }

    /** A marked flow's state change, told to the listener (a flag change alone is not). */
    private void stateSet(final int before, final int after)
    {
        if (ConnectionState.mark(after) != 0 && ConnectionState.of(before) != ConnectionState.of(after))
        {
            listener.changed(before, after);
        }
    }

    public long expiresAtMs(final int flow)
    {
        return (long)LONGS.getOpaque(records, record(flow) + EXPIRES);
    }

    /** Pushes the flow's expiry out; a plain store per packet, no lock. */
    public void expiresAtMs(final int flow, final long expiresAt)
    {
        LONGS.setOpaque(records, record(flow) + EXPIRES, expiresAt);
    }

    public boolean isLive(final int flow)
    {
        return (generation(flow) & 1) != 0;
    }

    /**
     * Scans the next {@code flows} entries (wrapping around) and removes those expired at {@code nowMs}.
     * Called repeatedly by one housekeeping thread; each removal holds its locks only briefly.
     *
     * @return flows removed.
     */
    public int sweep(final long nowMs, final int flows)
    {
        final int start = sweepCursor;
        sweepCursor = (int)((start + (long)flows) % capacity);
        return sweepFrom(nowMs, start, flows);
    }

    /**
     * Removes the flows expired at {@code nowMs} among {@code flows} entries from {@code start}
     * (wrapping around). Any thread; each removal holds its locks only for a chain walk.
     *
     * @return flows removed.
     */
    public int sweepFrom(final long nowMs, final int start, final int flows)
    {
        int removed = 0;
        int flow = start;
        for (int i = 0; i < flows; i++)
        {
            final int gen = generation(flow);
            if ((gen & 1) != 0 && expiresAtMs(flow) <= nowMs && remove(flow, gen))
            {
                removed++;
            }
            flow = flow + 1 == capacity ? 0 : flow + 1;
        }
        return removed;
    }

    /**
     * Makes room when the table is full by removing one flow that {@code evictable} accepts among
     * the next {@code window} entries (Linux's early drop of unassured flows).
     *
     * @return true when a flow was removed.
     */
    public boolean evictOne(final int window, final StatePredicate evictable)
    {
        int cursor;
        synchronized (freeLock)
        {
            cursor = evictCursor;
            evictCursor = (evictCursor + window) % capacity;
        }
        for (int i = 0; i < window; i++)
        {
            final int flow = (cursor + i) % capacity;
            final int gen = generation(flow);
            if ((gen & 1) != 0 && evictable.test(state(flow)) && remove(flow, gen))
            {
                return true;
            }
        }
        return false;
    }

    /** Chooses flows by their state word without boxing. */
    @FunctionalInterface
    public interface StatePredicate
    {
        boolean test(int state);
    }

    /** Removes every flow; control plane (conntrack flush). @return flows removed. */
    public int clear()
    {
        int removed = 0;
        for (int flow = 0; flow < capacity; flow++)
        {
            final int gen = generation(flow);
            if ((gen & 1) != 0 && remove(flow, gen))
            {
                removed++;
            }
        }
        return removed;
    }

    private int find(final int bucket, final long addresses, final long ports)
    {
        for (int node = heads[bucket]; node != NIL; node = next(node))
        {
            if (nodeAddresses(node) == addresses && nodePorts(node) == ports)
            {
                return node;
            }
        }
        return NOT_FOUND;
    }

    private void unlink(final int bucket, final int node)
    {
        int previous = NIL;
        for (int current = heads[bucket]; current != NIL; previous = current, current = next(current))
        {
            if (current == node)
            {
                if (previous == NIL)
                {
                    INTS.setRelease(heads, bucket, next(node));
                }
                else
                {
                    LONGS.setRelease(records, record(previous >>> 1) + NEXT + (previous & 1), (long)next(node));
                }
                return;
            }
        }
        throw new IllegalStateException("conntrack node " + node + " missing from bucket " + bucket);
    }

    private int next(final int node)
    {
        return (int)records[record(node >>> 1) + NEXT + (node & 1)];
    }

    private int allocate()
    {
        synchronized (freeLock)
        {
            return freeCount == 0 ? -1 : freeFlows[--freeCount];
        }
    }

    private void release(final int flow)
    {
        synchronized (freeLock)
        {
            freeFlows[freeCount++] = flow;
        }
    }

    private static int stripe(final int bucket)
    {
        return bucket & (STRIPES - 1);
    }

    private void lock(final int stripe)
    {
        final int word = stripe << 4;
        while (!INTS.compareAndSet(stripeLocks, word, 0, 1))
        {
            Thread.onSpinWait();
        }
    }

    private void unlock(final int stripe)
    {
        INTS.setRelease(stripeLocks, stripe << 4, 0);
    }
}
