package dev.wharf.io;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.port.PortQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One worker's AF_PACKET socket on an interface: a TPACKET_V3 receive ring read in place and a
 * transmit ring that {@link #send} copies frames into (with their virtio-net header, or segmented and
 * checksummed in software when the port runs without offloads) and {@link #flush} hands to the kernel
 * with one sendto().
 *
 * <p>Used only by the worker that owns it; created and closed by the control plane, closed only after
 * no worker sees the port any more.
 */
final class AfPacketQueue implements PortQueue
{
    /** Frame headroom wanted in the receive ring: PACKET_RESERVE is sized so each frame gets this much. */
    static final int RX_HEADROOM = BufferPool.DEFAULT_HEADROOM;
    /** netoff = TPACKET_ALIGN(TPACKET3_HDRLEN + 16) + reserve (+ vnet), macoff = netoff - 14: headroom = 14 + reserve. */
    static final int RESERVE = RX_HEADROOM - 14;
    private static final int ETHERNET_HEADER_LENGTH = 14;
    private static final int VLAN_TAG_LENGTH = 4;

    private final LibC libc = Syscalls.libc();
    private final int fd;
    private final long mapAddress;
    private final long mapLength;
    private final PacketRxRing rx;
    private final PacketTxRing tx;
    private final int vnetLength;
    private final SoftwareOffload softwareOffload = new SoftwareOffload();
    private long txRingFull;
    private long txUnsendable;
    private long kickErrors;
    private boolean closed;

    AfPacketQueue(
        final int fd, final long mapAddress, final long mapLength, final PacketRxRing rx, final PacketTxRing tx, final int vnetLength)
    {
        this.fd = fd;
        this.mapAddress = mapAddress;
        this.mapLength = mapLength;
        this.rx = rx;
        this.tx = tx;
        this.vnetLength = vnetLength;
    }

    @Override
    public int receive(final PacketBatch batch, final int portId, final int limit)
    {
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
        final int header = claim();
        if (header < 0)
        {
            return false;
        }
        final UnsafeBuffer ring = tx.buffer();
        final int data = header + Tpacket3HeaderFlyweight.TX_DATA_OFFSET;
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
        tx.submit(header, slotLength);
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
            final int header = claim();
            if (header < 0)
            {
                return false;
            }
            final int length = softwareOffload.writeSegment(k, ring, header + Tpacket3HeaderFlyweight.TX_DATA_OFFSET, vlanTci);
            tx.submit(header, length);
        }
        return true;
    }

    /** The next free transmit slot; when the ring is full, kicks the kernel once to drain it first. */
    private int claim()
    {
        int header = tx.claim();
        if (header < 0 && tx.submitted() > 0)
        {
            flush();
            header = tx.claim();
        }
        if (header < 0)
        {
            txRingFull++;
        }
        return header;
    }

    @Override
    public void flush()
    {
        if (tx.submitted() == 0)
        {
            return;
        }
        // frames the kernel could not take now (no buffer) stay marked and go with the next kick
        if (libc.sendto(fd, 0, 0, Syscalls.MSG_DONTWAIT, 0, 0) < 0)
        {
            kickErrors++;
        }
        tx.kicked();
    }

    @Override
    public int pollDescriptor()
    {
        return fd;
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

    PacketRxRing rxRing()
    {
        return rx;
    }

    void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        libc.munmap(mapAddress, mapLength);
        libc.close(fd);
    }
}
