package dev.wharf.nat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The latest connections one worker could not set up, in a fixed ring of primitive slots: recording
 * one allocates nothing. Single writer (the worker), any number of readers: each slot carries a
 * sequence number, odd while it is written, so a reader skips a slot torn under it.
 */
final class FailureRing
{
    static final int CAPACITY = 32;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle HEAD;

    static
    {
        try
        {
            HEAD = MethodHandles.lookup().findVarHandle(FailureRing.class, "head", long.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int[] sequence = new int[CAPACITY];
    private final String[] reason = new String[CAPACITY];
    private final long[] atMs = new long[CAPACITY];
    private final int[] protocol = new int[CAPACITY];
    private final int[] source = new int[CAPACITY];
    private final int[] sourcePort = new int[CAPACITY];
    private final int[] destination = new int[CAPACITY];
    private final int[] destinationPort = new int[CAPACITY];
    @SuppressWarnings("unused") // through HEAD
    private volatile long head;

    /** Worker thread only. {@code why} must be a constant (a counter name): it is stored, not copied. */
    void record(final String why, final long nowMs, final long addresses, final long ports)
    {
        final long h = (long)HEAD.getOpaque(this);
        final int slot = (int)(h & (CAPACITY - 1));
        final int seq = sequence[slot];
        INTS.setOpaque(sequence, slot, seq + 1);
        VarHandle.storeStoreFence();
        reason[slot] = why;
        atMs[slot] = nowMs;
        protocol[slot] = FlowKey.protocol(ports);
        source[slot] = FlowKey.source(addresses);
        sourcePort[slot] = FlowKey.sourcePort(ports);
        destination[slot] = FlowKey.destination(addresses);
        destinationPort[slot] = FlowKey.destinationPort(ports);
        INTS.setRelease(sequence, slot, seq + 2);
        HEAD.setRelease(this, h + 1);
    }

    /** Adds this ring's failures, newest first; any thread. */
    void collect(final List<NatFailure> into)
    {
        final long h = (long)HEAD.getAcquire(this);
        for (long n = h - 1; n >= 0 && n >= h - CAPACITY; n--)
        {
            final int slot = (int)(n & (CAPACITY - 1));
            final int before = (int)INTS.getAcquire(sequence, slot);
            if ((before & 1) != 0)
            {
                continue;
            }
            final NatFailure failure = new NatFailure(reason[slot], atMs[slot], protocol[slot], source[slot], sourcePort[slot],
                destination[slot], destinationPort[slot]);
            VarHandle.loadLoadFence();
            if ((int)INTS.getVolatile(sequence, slot) == before && failure.reason() != null)
            {
                into.add(failure);
            }
        }
    }
}
