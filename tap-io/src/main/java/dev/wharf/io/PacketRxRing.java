package dev.wharf.io;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.wharf.io.Tpacket3HeaderFlyweight.TP_STATUS_CSUMNOTREADY;
import static dev.wharf.io.Tpacket3HeaderFlyweight.TP_STATUS_GSO_TCP;
import static dev.wharf.io.Tpacket3HeaderFlyweight.TP_STATUS_VLAN_TPID_VALID;
import static dev.wharf.io.Tpacket3HeaderFlyweight.TP_STATUS_VLAN_VALID;
import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * A TPACKET_V3 receive ring, read in place: the kernel fills blocks of frames and hands each over by
 * setting its status; frames go into the batch as addresses inside the ring (zero copy), and a block
 * goes back to the kernel only in {@link #releaseReceived()}, once the worker is done with its frames.
 * The PACKET_RESERVE bytes in front of each frame are the frame's headroom.
 *
 * <p>Owned by one {@link AfPacketQueue}, used by its worker thread only.
 */
final class PacketRxRing
{
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int MAC_ADDRESSES_LENGTH = 12;

    private final UnsafeBuffer ring;
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private final long ringAddress;
    private final int blockSize;
    private final int blockCount;
    private final int vnetLength;
    /** Link MTU at open: the segment size for GSO frames received without a virtio-net header. */
    private final int mtu;
    /** Blocks whose every frame went into a batch, to give back on release, in ring order. */
    private final int[] consumed;
    private int consumedCount;
    private int block;
    private boolean blockOpen;
    private int packetsLeft;
    private int packetOffset;
    private long outgoingSkipped;
    private long truncated;

    PacketRxRing(final long address, final int blockSize, final int blockCount, final int vnetLength, final int mtu)
    {
        this.mtu = mtu;
        this.ring = new UnsafeBuffer(address, blockSize * blockCount);
        this.ringAddress = address;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.vnetLength = vnetLength;
        this.consumed = new int[blockCount];
    }

    int receive(final PacketBatch batch, final int portId, final int limit)
    {
        final UnsafeBuffer ring = this.ring;
        int n = 0;
        while (n < limit && !batch.isFull())
        {
            if (!blockOpen)
            {
                final int base = block * blockSize;
                if ((TpacketBlockDescriptorFlyweight.statusVolatile(ring, base) & TpacketBlockDescriptorFlyweight.STATUS_USER) == 0)
                {
                    break;
                }
                if (consumedCount == blockCount)
                {
                    // every block waits for release; the caller must release before receiving more
                    break;
                }
                blockOpen = true;
                packetsLeft = TpacketBlockDescriptorFlyweight.packetCount(ring, base);
                packetOffset = base + TpacketBlockDescriptorFlyweight.firstPacketOffset(ring, base);
            }
            if (packetsLeft == 0)
            {
                closeBlock();
                continue;
            }
            final int header = packetOffset;
            packetOffset += Tpacket3HeaderFlyweight.nextOffset(ring, header);
            packetsLeft--;
            if (readFrame(batch, portId, header))
            {
                n++;
            }
            if (packetsLeft == 0)
            {
                closeBlock();
            }
        }
        return n;
    }

    private void closeBlock()
    {
        consumed[consumedCount++] = block;
        block = block + 1 == blockCount ? 0 : block + 1;
        blockOpen = false;
    }

    private boolean readFrame(final PacketBatch batch, final int portId, final int header)
    {
        final UnsafeBuffer ring = this.ring;
        if (SockaddrLlFlyweight.packetType(ring, header + Tpacket3HeaderFlyweight.LENGTH) == SockaddrLlFlyweight.PACKET_OUTGOING)
        {
            // PACKET_IGNORE_OUTGOING covers this on kernels that have it; this is the fallback
            outgoingSkipped++;
            return false;
        }
        int length = Tpacket3HeaderFlyweight.snapLength(ring, header);
        if (length != Tpacket3HeaderFlyweight.length(ring, header))
        {
            truncated++;
            return false;
        }
        final int mac = Tpacket3HeaderFlyweight.macOffset(ring, header);
        int frame = header + mac;
        int headroom = mac - vnetLength - Tpacket3HeaderFlyweight.HDRLEN;
        final int status = Tpacket3HeaderFlyweight.status(ring, header);
        long offload;
        if (vnetLength != 0)
        {
            offload = VirtioNetHeaderFlyweight.read(ring, frame - vnetLength);
        }
        else if ((status & (TP_STATUS_CSUMNOTREADY | TP_STATUS_GSO_TCP)) != 0)
        {
            // no virtio-net header: recover what the kernel left undone from the frame itself
            frameView.wrap(ringAddress + frame, length);
            offload = SoftwareOffload.partialChecksumOf(frameView, length);
            if ((status & TP_STATUS_GSO_TCP) != 0 && offload != 0)
            {
                offload = SoftwareOffload.tcpGsoOf(frameView, length, offload, mtu);
            }
        }
        else
        {
            offload = 0;
        }
        if ((status & TP_STATUS_VLAN_VALID) != 0 && headroom >= VLAN_TAG_LENGTH)
        {
            // the kernel took the tag out of the frame (VLAN acceleration); the dataplane expects it in-frame
            final int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ?
                Tpacket3HeaderFlyweight.vlanTpid(ring, header) : SoftwareOffload.TPID_8021Q;
            final int tci = Tpacket3HeaderFlyweight.vlanTci(ring, header);
            ring.putBytes(frame - VLAN_TAG_LENGTH, ring, frame, MAC_ADDRESSES_LENGTH);
            frame -= VLAN_TAG_LENGTH;
            ring.putShort(frame + MAC_ADDRESSES_LENGTH, (short)tpid, BIG_ENDIAN);
            ring.putShort(frame + MAC_ADDRESSES_LENGTH + 2, (short)tci, BIG_ENDIAN);
            length += VLAN_TAG_LENGTH;
            headroom -= VLAN_TAG_LENGTH;
            offload = OffloadInfo.shiftStart(offload, VLAN_TAG_LENGTH);
        }
        final int i = batch.add(ringAddress + frame, length, headroom, portId);
        batch.offload[i] = offload;
        return true;
    }

    /** Gives every fully read block back to the kernel. */
    void releaseReceived()
    {
        final UnsafeBuffer ring = this.ring;
        for (int k = 0; k < consumedCount; k++)
        {
            TpacketBlockDescriptorFlyweight.releaseToKernel(ring, consumed[k] * blockSize);
        }
        consumedCount = 0;
    }

    long outgoingSkipped()
    {
        return outgoingSkipped;
    }

    long truncated()
    {
        return truncated;
    }
}
