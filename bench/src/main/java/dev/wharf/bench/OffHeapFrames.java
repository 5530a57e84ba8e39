package dev.wharf.bench;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames built once in off-heap slots of a {@link BufferPool} (with the pool's headroom, as a port
 * receives them), and what a benchmark does per invocation to present them to the pipeline again:
 * {@link #refill} writes only the batch metadata, as a port's receive does, and
 * {@link #retagStripped} / {@link #restoreHeaders} undo exactly the bytes the pipeline rewrote.
 * Used by one benchmark thread.
 */
final class OffHeapFrames implements AutoCloseable
{
    final long[] address;
    final int[] length;
    final int[] inPort;

    private final BufferPool pool;
    private final int headroom;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer pristineView = new UnsafeBuffer(0, 0);
    private BufferPool pristine;
    private long[] pristineAddress;

    OffHeapFrames(final int count, final int maxFrameLength)
    {
        pool = new BufferPool(count, maxFrameLength, BufferPool.DEFAULT_HEADROOM);
        headroom = pool.headroom();
        address = new long[count];
        length = new int[count];
        inPort = new int[count];
        for (int i = 0; i < count; i++)
        {
            address[i] = pool.dataAddress(pool.acquire());
        }
    }

    int count()
    {
        return address.length;
    }

    /** A view over frame {@code i}'s slot, for building it; valid until the next call. */
    UnsafeBuffer frame(final int i)
    {
        view.wrap(address[i], pool.dataCapacity());
        return view;
    }

    /** Keeps a copy of every frame as built, for {@link #restoreHeaders}. Setup only. */
    void keepPristine()
    {
        pristine = new BufferPool(address.length, pool.dataCapacity(), 0);
        pristineAddress = new long[address.length];
        for (int i = 0; i < address.length; i++)
        {
            pristineAddress[i] = pristine.dataAddress(pristine.acquire());
            pristineView.wrap(pristineAddress[i], length[i]);
            pristineView.putBytes(0, frame(i), 0, length[i]);
        }
    }

    /**
     * Presents frames {@code [first, first + count)} in {@code batch} as a port's receive would:
     * {@link PacketBatch#add} per frame, which resets every metadata array. No frame byte is copied.
     */
    void refill(final PacketBatch batch, final int first, final int count)
    {
        batch.clear();
        final int end = first + count;
        for (int i = first; i < end; i++)
        {
            batch.add(address[i], length[i], headroom, inPort[i]);
        }
    }

    /**
     * Puts back the 802.1Q tag of every frame of {@code batch} that ethernet-input stripped (it moved
     * the twelve MAC bytes four bytes forward): the same 16-byte move in reverse.
     */
    void retagStripped(final PacketBatch batch, final int tci)
    {
        final UnsafeBuffer view = this.view;
        final int size = batch.size();
        for (int i = 0; i < size; i++)
        {
            if ((batch.flags[i] & PacketBatch.FLAG_VLAN_STRIPPED) != 0)
            {
                view.wrap(batch.address[i] - VlanTagFlyweight.TAG_LENGTH, VlanTagFlyweight.TAGGED_HEADER_LENGTH);
                VlanTagFlyweight.pushInPlace(view, 0, tci);
            }
        }
    }

    /** Copies the first {@code bytes} of frames {@code [first, first + count)} back from the pristine copy. */
    void restoreHeaders(final int first, final int count, final int bytes)
    {
        final UnsafeBuffer view = this.view;
        final UnsafeBuffer pristineView = this.pristineView;
        final int end = first + count;
        for (int i = first; i < end; i++)
        {
            view.wrap(address[i], bytes);
            pristineView.wrap(pristineAddress[i], bytes);
            view.putBytes(0, pristineView, 0, bytes);
        }
    }

    @Override
    public void close()
    {
        // quietly: BufferPool.close() throws on every pool, its memory being an aligned slice (see the bench report)
        CloseHelper.quietClose(pool);
        CloseHelper.quietClose(pristine);
    }
}
