package dev.wharf.dataplane.port;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * A port without a device: frames are injected from memory and sent frames are kept (or only
 * counted). For node tests and benchmarks that exercise the pipeline without syscalls.
 * One queue, used by worker 0; not thread-safe.
 */
public final class MemoryPort implements Port, PortQueue
{
    private final String name;
    private final int mtu;
    private final BufferPool pool;
    private final int[] pending;
    private final int[] pendingLength;
    private final long[] pendingOffload;
    private final int[] pendingPeer;
    private int pendingCount;
    private final int[] received = new int[PacketBatch.CAPACITY];
    private int receivedCount;
    private boolean keepSent = true;
    private final List<byte[]> sent = new ArrayList<>();
    private final List<Integer> sentPeers = new ArrayList<>();
    private long sentCount;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private long kernelDrops;

    public MemoryPort(final String name, final int mtu, final int slots)
    {
        this.name = name;
        this.mtu = mtu;
        this.pool = new BufferPool(slots, 65_536, BufferPool.DEFAULT_HEADROOM);
        this.pending = new int[slots];
        this.pendingLength = new int[slots];
        this.pendingOffload = new long[slots];
        this.pendingPeer = new int[slots];
    }

    /** Stop keeping copies of sent frames; only count them (benchmarks). */
    public MemoryPort countOnly()
    {
        keepSent = false;
        return this;
    }

    /** Queues a frame to be received by the next {@link #receive}. */
    public void inject(final byte[] frame)
    {
        inject(frame, 0);
    }

    public void inject(final byte[] frame, final long offload)
    {
        inject(frame, offload, 0);
    }

    /**
     * Queues a frame that arrives from peer {@code peer} of this port ({@link PacketBatch#portPeer}), as a
     * tunnel port's frames arrive from their remote VTEPs: the port then stands in for a tunnel.
     */
    public void inject(final byte[] frame, final long offload, final int peer)
    {
        final int slot = pool.acquire();
        if (slot < 0)
        {
            throw new IllegalStateException("no free slot in " + name);
        }
        view.wrap(pool.dataAddress(slot), pool.dataCapacity());
        view.putBytes(0, frame);
        pending[pendingCount] = slot;
        pendingLength[pendingCount] = frame.length;
        pendingOffload[pendingCount] = offload;
        pendingPeer[pendingCount] = peer;
        pendingCount++;
    }

    /** Stands in for frames a kernel dropped before this port received them: the next {@link #takeKernelDrops} reports them. */
    public void dropInKernel(final long frames)
    {
        kernelDrops += frames;
    }

    /** Frames sent so far, each with its VLAN tag inserted when one was asked for. */
    public List<byte[]> sent()
    {
        return sent;
    }

    /** The {@link PacketBatch#portPeer} each frame of {@link #sent} was sent to (0: all of a tunnel's peers). */
    public List<Integer> sentPeers()
    {
        return sentPeers;
    }

    public long sentCount()
    {
        return sentCount;
    }

    public void clearSent()
    {
        sent.clear();
        sentPeers.clear();
        sentCount = 0;
    }

    public String name()
    {
        return name;
    }

    public String kind()
    {
        return "memory";
    }

    public int mtu()
    {
        return mtu;
    }

    public boolean offloads()
    {
        return true;
    }

    public PortQueue queue(final int worker)
    {
        return this;
    }

    public int receive(final PacketBatch batch, final int portId, final int limit)
    {
        int n = 0;
        while (n < pendingCount && n < limit && !batch.isFull())
        {
            final int slot = pending[n];
            final int i = batch.add(pool.dataAddress(slot), pendingLength[n], pool.headroom(), portId);
            batch.offload[i] = pendingOffload[n];
            batch.portPeer[i] = pendingPeer[n];
            received[receivedCount++] = slot;
            n++;
        }
        System.arraycopy(pending, n, pending, 0, pendingCount - n);
        System.arraycopy(pendingLength, n, pendingLength, 0, pendingCount - n);
        System.arraycopy(pendingOffload, n, pendingOffload, 0, pendingCount - n);
        System.arraycopy(pendingPeer, n, pendingPeer, 0, pendingCount - n);
        pendingCount -= n;
        return n;
    }

    public void releaseReceived()
    {
        for (int i = 0; i < receivedCount; i++)
        {
            pool.release(received[i]);
        }
        receivedCount = 0;
    }

    public boolean send(final PacketBatch batch, final int index, final int vlanTci)
    {
        sentCount++;
        if (!keepSent)
        {
            return true;
        }
        final byte[] copy = new byte[VlanTagFlyweight.taggedLength(batch.length[index], vlanTci)];
        VlanTagFlyweight.copyOut(batch.frame(index), batch.length[index], vlanTci, copy);
        sent.add(copy);
        sentPeers.add(batch.portPeer[index]);
        return true;
    }

    public void flush()
    {
    }

    @Override
    public long takeKernelDrops()
    {
        final long drops = kernelDrops;
        kernelDrops = 0;
        return drops;
    }

    public int pollDescriptor()
    {
        return -1;
    }

    public void close()
    {
        pool.close();
    }
}
