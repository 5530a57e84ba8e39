package dev.wharf.dataplane.buffer;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A fixed set of equal off-heap slots, each with headroom in front of the frame so that tags and
 * encapsulation headers are prepended in place. Allocated once; slots are handed out and returned
 * by index, with no allocation.
 *
 * <p>Not thread-safe: each port queue (one per worker) owns its pool.
 */
public final class BufferPool implements AutoCloseable
{
    public static final int DEFAULT_HEADROOM = 128;
    private static final int ALIGNMENT = 64;

    /** The allocation itself; the slots start at its first aligned address. */
    private final ByteBuffer memory;
    private final long baseAddress;
    private final int slotSize;
    private final int headroom;
    private final int slotCount;
    private final int[] free;
    private int freeCount;

    /**
     * @param slotCount number of slots.
     * @param dataSize  largest frame a slot holds, excluding headroom.
     * @param headroom  bytes kept free in front of each frame.
     */
    public BufferPool(final int slotCount, final int dataSize, final int headroom)
    {
        if (slotCount <= 0 || dataSize <= 0 || headroom < 0)
        {
            throw new IllegalArgumentException("slotCount=" + slotCount + " dataSize=" + dataSize + " headroom=" + headroom);
        }
        this.slotCount = slotCount;
        this.headroom = headroom;
        this.slotSize = align(dataSize + headroom);
        // allocate and align by hand: BufferUtil.free() rejects the slice that allocateDirectAligned() returns
        this.memory = ByteBuffer.allocateDirect(Math.addExact(Math.multiplyExact(slotSize, slotCount), ALIGNMENT));
        final long address = BufferUtil.address(memory);
        this.baseAddress = BitUtil.align(address, ALIGNMENT);
        this.free = new int[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            free[i] = slotCount - 1 - i;
        }
        freeCount = slotCount;
    }

    private static int align(final int size)
    {
        return BitUtil.align(size, ALIGNMENT);
    }

    /** @return a slot index, or -1 when the pool is exhausted. */
    public int acquire()
    {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    public void release(final int slot)
    {
        free[freeCount++] = slot;
    }

    public int available()
    {
        return freeCount;
    }

    public int slotCount()
    {
        return slotCount;
    }

    /** Address of the first frame byte of {@code slot} (after the headroom). */
    public long dataAddress(final int slot)
    {
        return baseAddress + (long)slot * slotSize + headroom;
    }

    public int headroom()
    {
        return headroom;
    }

    /** Bytes a frame may occupy in a slot. */
    public int dataCapacity()
    {
        return slotSize - headroom;
    }

    /** A view of a whole slot's data area, for tests and slow paths. */
    public UnsafeBuffer slotBuffer(final int slot)
    {
        return new UnsafeBuffer(dataAddress(slot), dataCapacity());
    }

    @Override
    public void close()
    {
        BufferUtil.free(memory);
    }
}
