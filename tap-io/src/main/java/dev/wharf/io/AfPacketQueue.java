package dev.wharf.io;

import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * One worker's AF_PACKET socket on an interface: a receive ring read in place (TPACKET_V2 or V3, see
 * {@link TpacketVersion}) and a transmit ring that {@link #send} copies frames into (with their
 * virtio-net header, or segmented and checksummed in software when the port runs without offloads) and
 * {@link #flush} hands to the kernel with one sendto().
 *
 * <p>Used only by the worker that owns it; created and closed by the control plane, closed only after
 * no worker sees the port any more.
 */
final class AfPacketQueue extends KernelQueue
{
    /** Frame headroom wanted in the receive ring: PACKET_RESERVE is sized so each frame gets this much. */
    static final int RX_HEADROOM = BufferPool.DEFAULT_HEADROOM;
    /**
     * tpacket_rcv: netoff = TPACKET_ALIGN(tp_hdrlen + 16) + reserve (+ vnet), macoff = netoff - 14, so the
     * headroom after the header and sockaddr_ll is 14 + reserve (plus alignment padding) for every version.
     */
    static final int RESERVE = RX_HEADROOM - 14;
    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int VLAN_TAG_LENGTH = 4;
    /** struct tpacket_stats_v3 (tpacket_stats is its first 8 bytes), then the socklen_t the kernel reads and writes. */
    private static final int STATS_LENGTH = 12;
    private static final int TP_DROPS_OFFSET = 4;
    private static final int STATS_LENGTH_OFFSET = 16;

    private final long mapAddress;
    private final long mapLength;
    private final PacketRxRing rx;
    private final PacketTxRing tx;
    private final int vnetLength;
    private final SoftwareOffload softwareOffload = new SoftwareOffload();
    private final UnsafeBuffer stats = NativeMemory.allocate(STATS_LENGTH_OFFSET + 8);
    private long txRingFull;
    private long txUnsendable;
    private long kickErrors;

    AfPacketQueue(
        final int fd, final long mapAddress, final long mapLength, final PacketRxRing rx, final PacketTxRing tx, final int vnetLength)
    {
        super(fd);
        this.mapAddress = mapAddress;
        this.mapLength = mapLength;
        this.rx = rx;
        this.tx = tx;
        this.vnetLength = vnetLength;
    }

    @Override
    public int receive(final PacketBatch batch, final int portId, final int limit)
    {
        if (tx.submitted() != 0)
        {
            // the last kick left frames behind; the worker flushes only ports it sent to, so retry here
            flush();
        }
        return rx.receive(batch, portId, limit);
    }

    @Override
    public void releaseReceived()
    {
        rx.releaseReceived();
    }

    @Override
    public boolean send(final PacketBatch batch, final int index, final int vlanTci)
    {
        final long info = batch.offload[index];
        final int length = batch.length[index];
        if (length < ETHERNET_HEADER_LENGTH)
        {
            txUnsendable++;
            return false;
        }
        if (vnetLength == 0 && OffloadInfo.isGso(info))
        {
            return sendSegmented(batch, index, info, vlanTci);
        }
        final int shift = vlanTci == NO_TAG ? 0 : VLAN_TAG_LENGTH;
        final int slotLength = vnetLength + length + shift;
        if (slotLength > tx.maxFrameLength())
        {
            txUnsendable++;
            return false;
        }
        final int data = claim();
        if (data < 0)
        {
            return false;
        }
        final UnsafeBuffer ring = tx.buffer();
        final UnsafeBuffer frame = batch.frame(index);
        if (vnetLength != 0)
        {
            VirtioNetHeaderFlyweight.write(ring, data, info, SoftwareOffload.headerLength(frame, length, info), shift);
        }
        SoftwareOffload.copyWithTag(frame, 0, length, ring, data + vnetLength, vlanTci);
        if (vnetLength == 0 && OffloadInfo.needsChecksum(info) && !SoftwareOffload.completeChecksum(
            ring, data, length + shift, OffloadInfo.csumStart(info) + shift, OffloadInfo.csumOffset(info)))
        {
            // the slot stays free: it was claimed but never submitted
            txUnsendable++;
            return false;
        }
        tx.submit(data, slotLength);
        return true;
    }

    private boolean sendSegmented(final PacketBatch batch, final int index, final long info, final int vlanTci)
    {
        final int segments = softwareOffload.prepare(batch.address[index], batch.length[index], info);
        final int shift = vlanTci == NO_TAG ? 0 : VLAN_TAG_LENGTH;
        if (segments < 0 || softwareOffload.largestSegmentLength() + shift > tx.maxFrameLength())
        {
            txUnsendable++;
            return false;
        }
        final UnsafeBuffer ring = tx.buffer();
        for (int k = 0; k < segments; k++)
        {
            final int data = claim();
            if (data < 0)
            {
                return false;
            }
            final int length = softwareOffload.writeSegment(k, ring, data, vlanTci);
            tx.submit(data, length);
        }
        return true;
    }

    /** Where the next frame goes in a free transmit slot; when the ring is full, kicks the kernel once to drain it first. */
    private int claim()
    {
        int data = tx.claim();
        if (data < 0 && tx.submitted() > 0)
        {
            flush();
            data = tx.claim();
        }
        if (data < 0)
        {
            txRingFull++;
        }
        return data;
    }

    @Override
    public void flush()
    {
        if (tx.submitted() == 0)
        {
            return;
        }
        // frames the kernel could not take now (no buffer) stay marked; kicked() remembers to kick again
        if (libc.sendto(fd, 0, 0, Syscalls.MSG_DONTWAIT, 0, 0) < 0)
        {
            kickErrors++;
        }
        tx.kicked();
    }

    long txRingFull()
    {
        return txRingFull;
    }

    long txUnsendable()
    {
        return txUnsendable;
    }

    long kickErrors()
    {
        return kickErrors;
    }

    /**
     * Frames the kernel dropped for want of a free receive frame (or block) since the last call: PACKET_STATISTICS,
     * which clears the socket's counts on read, so the owning worker is its one reader. The kernel also counts
     * every frame it gave the socket (tp_packets, drops included), which is not needed here: the worker counts
     * what it received. A getsockopt() into memory allocated with the queue; 0 when the call fails.
     */
    @Override
    public long takeKernelDrops()
    {
        final UnsafeBuffer stats = this.stats;
        // struct tpacket_stats(_v3): tp_packets, tp_drops, (tp_freeze_q_cnt); the length goes in and out
        stats.putInt(STATS_LENGTH_OFFSET, STATS_LENGTH, ByteOrder.nativeOrder());
        if (libc.getsockopt(fd, PacketSocket.SOL_PACKET, PacketSocket.PACKET_STATISTICS, stats.addressOffset(),
            stats.addressOffset() + STATS_LENGTH_OFFSET) < 0)
        {
            return 0;
        }
        return stats.getInt(TP_DROPS_OFFSET, ByteOrder.nativeOrder()) & 0xFFFF_FFFFL;
    }

    PacketRxRing rxRing()
    {
        return rx;
    }

    @Override
    void releaseMemory()
    {
        libc.munmap(mapAddress, mapLength);
        NativeMemory.free(stats);
    }
}
