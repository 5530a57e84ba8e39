package dev.wharf.nat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection tracking entries in primitive arrays: no object per flow. Every flow has two index
 * nodes, its original tuple ({@code node = flow * 2}) and its reply tuple ({@code flow * 2 + 1}),
 * chained into hash buckets, so one lookup finds a flow from either direction and says which. The
 * reply tuple carries the NAT translation (as in Linux: a translated flow's reply tuple differs from
 * the original reversed).
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

    private final int capacity;
    private final int bucketMask;
    private final int[] heads;
    private final int[] next;
    private final long[] keyAddresses;
    private final long[] keyPorts;
    private final int[] generation;
    private final int[] state;
    private final long[] expiresAtMs;
    private final int[] stripeLocks = new int[STRIPES * 16]; // one lock word per cache line
    private final int[] freeFlows;
    private int freeCount;
    private final Object freeLock = new Object();
    private final AtomicInteger size = new AtomicInteger();
    private int sweepCursor;
    private int evictCursor;

    /** @param capacity most flows held at once. */
    public ConntrackTable(final int capacity)
    {
        if (capacity < 1 || capacity > (1 << 29))
        {
            throw new IllegalArgumentException("conntrack capacity must be 1.." + (1 << 29) + ": " + capacity);
        }
        this.capacity = capacity;
        final int buckets = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        this.bucketMask = buckets - 1;
        this.heads = new int[buckets];
        java.util.Arrays.fill(heads, NIL);
        this.next = new int[capacity * 2];
        this.keyAddresses = new long[capacity * 2];
        this.keyPorts = new long[capacity * 2];
        this.generation = new int[capacity];
        this.state = new int[capacity];
        this.expiresAtMs = new long[capacity];
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
        final int bucket = FlowKey.hash(addresses, ports) & bucketMask;
        int node = (int)INTS.getAcquire(heads, bucket);
        int steps = 0;
        while (node != NIL)
        {
            if (++steps > MAX_LOCK_FREE_WALK)
            {
                return lockedLookup(bucket, addresses, ports);
            }
            final int flow = node >>> 1;
            final int before = (int)INTS.getAcquire(generation, flow);
            if ((before & 1) != 0 && keyAddresses[node] == addresses && keyPorts[node] == ports)
            {
                VarHandle.loadLoadFence();
                if ((int)INTS.getVolatile(generation, flow) == before)
                {
                    return handle(node, before);
                }
            }
            node = (int)INTS.getAcquire(next, node);
        }
        return NOT_FOUND;
    }

    private long lockedLookup(final int bucket, final long addresses, final long ports)
    {
        final int stripe = stripe(bucket);
        lock(stripe);
        try
        {
            final int node = find(bucket, addresses, ports);
            return node == NOT_FOUND ? NOT_FOUND : handle(node, generation[node >>> 1]);
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
        final int originalBucket = FlowKey.hash(originalAddresses, originalPorts) & bucketMask;
        final int replyBucket = FlowKey.hash(replyAddresses, replyPorts) & bucketMask;
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
            keyAddresses[original] = originalAddresses;
            keyPorts[original] = originalPorts;
            keyAddresses[reply] = replyAddresses;
            keyPorts[reply] = replyPorts;
            state[flow] = initialState;
            LONGS.setOpaque(expiresAtMs, flow, expiresAt);
            INTS.setRelease(generation, flow, generation[flow] + 1);
            next[original] = heads[originalBucket];
            INTS.setRelease(heads, originalBucket, original);
            next[reply] = heads[replyBucket];
            INTS.setRelease(heads, replyBucket, reply);
            size.incrementAndGet();
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
        return (int)INTS.getAcquire(generation, flow);
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
        final int originalBucket = FlowKey.hash(keyAddresses[original], keyPorts[original]) & bucketMask;
        final int replyBucket = FlowKey.hash(keyAddresses[reply], keyPorts[reply]) & bucketMask;
        final int first = Math.min(stripe(originalBucket), stripe(replyBucket));
        final int second = Math.max(stripe(originalBucket), stripe(replyBucket));
        lock(first);
        if (second != first)
        {
            lock(second);
        }
        try
        {
            if (generation[flow] != expectedGeneration)
            {
                return false; // removed (and perhaps reused) by someone else: the buckets above may be stale
            }
            INTS.setRelease(generation, flow, expectedGeneration + 1);
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
        return true;
    }

    public long originalAddresses(final int flow)
    {
        return keyAddresses[flow << 1];
    }

    public long originalPorts(final int flow)
    {
        return keyPorts[flow << 1];
    }

    public long replyAddresses(final int flow)
    {
        return keyAddresses[(flow << 1) | 1];
    }

    public long replyPorts(final int flow)
    {
        return keyPorts[(flow << 1) | 1];
    }

    public int state(final int flow)
    {
        return (int)INTS.getOpaque(state, flow);
    }

    /** Replaces the state if it is still {@code expected} (both directions may update at once). */
    public boolean compareAndSetState(final int flow, final int expected, final int newState)
    {
        return INTS.compareAndSet(state, flow, expected, newState);
    }

    public long expiresAtMs(final int flow)
    {
        return (long)LONGS.getOpaque(expiresAtMs, flow);
    }

    /** Pushes the flow's expiry out; a plain store per packet, no lock. */
    public void expiresAtMs(final int flow, final long expiresAt)
    {
        LONGS.setOpaque(expiresAtMs, flow, expiresAt);
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
        for (int node = heads[bucket]; node != NIL; node = next[node])
        {
            if (keyAddresses[node] == addresses && keyPorts[node] == ports)
            {
                return node;
            }
        }
        return NOT_FOUND;
    }

    private void unlink(final int bucket, final int node)
    {
        int previous = NIL;
        for (int current = heads[bucket]; current != NIL; previous = current, current = next[current])
        {
            if (current == node)
            {
                if (previous == NIL)
                {
                    INTS.setRelease(heads, bucket, next[node]);
                }
                else
                {
                    INTS.setRelease(next, previous, next[node]);
                }
                return;
            }
        }
        throw new IllegalStateException("conntrack node " + node + " missing from bucket " + bucket);
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
