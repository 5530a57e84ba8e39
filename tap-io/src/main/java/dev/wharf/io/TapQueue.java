package dev.wharf.io;

import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * One queue (one file descriptor) of a multi-queue TAP device. The kernel gives a TAP one frame per
 * read() and takes one per write(), so receive reads into pooled slots until EAGAIN or the limit —
 * the virtio-net header lands in the slot's headroom just in front of the frame — and send writes at
 * once with writev(), gathering the header, the frame and an inserted VLAN tag without copying the
 * frame. Without offloads, GSO frames are segmented and partial checksums completed into a scratch
 * buffer first.
 *
 * <p>Used only by the worker that owns it; created and closed by the control plane.
 */
final class TapQueue extends KernelQueue
{
    /** A GSO frame: 64 KiB of IP packet, its Ethernet header and two tags. */
    static final int MAX_FRAME_LENGTH = 65_536 + 14 + 8;
    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int MAC_ADDRESSES_LENGTH = 12;
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int IOVEC_COUNT = 4;

    private final int vnetLength;
    private final BufferPool pool;
    private final int[] received;
    private int receivedCount;
    private final UnsafeBuffer iovecs = NativeMemory.allocate(IOVEC_COUNT * IovecFlyweight.LENGTH);
    /** The virtio-net header (at 0) and the VLAN tag (at 16) gathered in front of and into a frame. */
    private final UnsafeBuffer headers = NativeMemory.allocate(64);
    private final UnsafeBuffer scratch = NativeMemory.allocate(MAX_FRAME_LENGTH + VLAN_TAG_LENGTH);
    private final SoftwareOffload softwareOffload = new SoftwareOffload();
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private long readErrors;
    private long writeErrors;
    private long txUnsendable;

    TapQueue(final int fd, final int vnetLength, final int slots)
    {
        super(fd);
        this.vnetLength = vnetLength;
        this.pool = new BufferPool(slots, MAX_FRAME_LENGTH, BufferPool.DEFAULT_HEADROOM + vnetLength);
        this.received = new int[slots];
    }

    /**
     * Always 0: a TAP queue has no per-descriptor drop count to read. When a queue's backlog is full the kernel
     * (tun_net_xmit) drops the frame and counts it only in the device's own tx_dropped (ip -s link), for all
     * queues together.
     */
    @Override
    public long takeKernelDrops()
    {
        return 0;
    }

    @Override
    public int receive(final PacketBatch batch, final int portId, final int limit)
    {
        final BufferPool pool = this.pool;
        final int vnetLength = this.vnetLength;
        int n = 0;
        while (n < limit && !batch.isFull())
        {
            final int slot = pool.acquire();
            if (slot < 0)
            {
                break;
            }
            final long data = pool.dataAddress(slot);
            final long read = libc.read(fd, data - vnetLength, pool.dataCapacity() + vnetLength);
            if (read <= vnetLength)
            {
                pool.release(slot);
                if (read < 0 && Syscalls.errno() != Syscalls.EAGAIN)
                {
                    readErrors++;
                }
                break;
            }
            final int length = (int)read - vnetLength;
            final int i = batch.add(data, length, pool.headroom() - vnetLength, portId);
            if (vnetLength != 0)
            {
                frameView.wrap(data - vnetLength, vnetLength);
                batch.offload[i] = VirtioNetHeaderFlyweight.read(frameView, 0);
            }
            received[receivedCount++] = slot;
            n++;
        }
        return n;
    }

    @Override
    public void releaseReceived()
    {
        for (int k = 0; k < receivedCount; k++)
        {
            pool.release(received[k]);
        }
        receivedCount = 0;
    }

    @Override
    public boolean send(final PacketBatch batch, final int index, final int vlanTci)
    {
        final long info = batch.offload[index];
        final int length = batch.length[index];
        final int shift = vlanTci == NO_TAG ? 0 : VLAN_TAG_LENGTH;
        if (length < ETHERNET_HEADER_LENGTH || length + shift > MAX_FRAME_LENGTH)
        {
            txUnsendable++;
            return false;
        }
        if (vnetLength == 0 && info != 0)
        {
            return sendCompleted(batch, index, info, vlanTci);
        }
        final long frame = batch.address[index];
        int count = 0;
        if (vnetLength != 0)
        {
            VirtioNetHeaderFlyweight.write(headers, 0, info, SoftwareOffload.headerLength(batch.frame(index), length, info), shift);
            IovecFlyweight.set(iovecs, count++, headers.addressOffset(), vnetLength);
        }
        if (shift == 0)
        {
            IovecFlyweight.set(iovecs, count++, frame, length);
        }
        else
        {
            headers.putShort(16, (short)SoftwareOffload.TPID_8021Q, BIG_ENDIAN);
            headers.putShort(18, (short)vlanTci, BIG_ENDIAN);
            IovecFlyweight.set(iovecs, count++, frame, MAC_ADDRESSES_LENGTH);
            IovecFlyweight.set(iovecs, count++, headers.addressOffset() + 16, VLAN_TAG_LENGTH);
            IovecFlyweight.set(iovecs, count++, frame + MAC_ADDRESSES_LENGTH, length - MAC_ADDRESSES_LENGTH);
        }
        return write(count);
    }

    /** Without a virtio-net header the kernel cannot finish the frame: segment it or complete its checksum here. */
    private boolean sendCompleted(final PacketBatch batch, final int index, final long info, final int vlanTci)
    {
        final int length = batch.length[index];
        if (OffloadInfo.isGso(info))
        {
            final int segments = softwareOffload.prepare(batch.address[index], length, info);
            if (segments < 0)
            {
                txUnsendable++;
                return false;
            }
            for (int k = 0; k < segments; k++)
            {
                final int segmentLength = softwareOffload.writeSegment(k, scratch, 0, vlanTci);
                IovecFlyweight.set(iovecs, 0, scratch.addressOffset(), segmentLength);
                if (!write(1))
                {
                    return false;
                }
            }
            return true;
        }
        final int written = SoftwareOffload.copyWithTag(batch.frame(index), 0, length, scratch, 0, vlanTci);
        if (OffloadInfo.needsChecksum(info))
        {
            final int shift = written - length;
            if (!SoftwareOffload.completeChecksum(scratch, 0, written, OffloadInfo.csumStart(info) + shift, OffloadInfo.csumOffset(info)))
            {
                txUnsendable++;
                return false;
            }
        }
        IovecFlyweight.set(iovecs, 0, scratch.addressOffset(), written);
        return write(1);
    }

    private boolean write(final int iovecCount)
    {
        if (libc.writev(fd, iovecs.addressOffset(), iovecCount) < 0)
        {
            writeErrors++;
            return false;
        }
        return true;
    }

    @Override
    public void flush()
    {
        // every frame was written by send(): a TAP takes one frame per syscall
    }

    long readErrors()
    {
        return readErrors;
    }

    long writeErrors()
    {
        return writeErrors;
    }

    long txUnsendable()
    {
        return txUnsendable;
    }

    @Override
    void releaseMemory()
    {
        // at once, not when the GC finds the pool: a queue's slots are 4 MiB of direct memory, which a daemon whose heap
        // barely changes would otherwise keep for every TAP ever detached (issue 19)
        pool.close();
        NativeMemory.free(iovecs);
        NativeMemory.free(headers);
        NativeMemory.free(scratch);
    }
}
