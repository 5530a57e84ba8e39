package dev.wharf.io;

import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.wharf.io.TpacketStatus.TP_STATUS_CSUMNOTREADY;
import static dev.wharf.io.TpacketStatus.TP_STATUS_GSO_TCP;
import static dev.wharf.io.TpacketStatus.TP_STATUS_VLAN_TPID_VALID;
import static dev.wharf.io.TpacketStatus.TP_STATUS_VLAN_VALID;
import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * A PACKET_RX_RING read in place: frames go into the batch as addresses inside the ring (zero copy)
 * and go back to the kernel only in {@link #releaseReceived()}, once the worker is done with them.
 * The PACKET_RESERVE bytes in front of each frame are the frame's headroom. Subclasses walk their
 * version's ring ({@link Tpacket2RxRing} frame by frame, {@link Tpacket3RxRing} block by block) and
 * hand each frame header to {@link #readFrame}, which is the same for every version: skip our own
 * outgoing frames and truncated ones, take the offload metadata, and put a VLAN tag the kernel took
 * out of the frame back in.
 *
 * <p>Owned by one {@link AfPacketQueue}, used by its worker thread only.
 */
abstract class PacketRxRing
{
    private static final int VLAN_TAG_LENGTH = 4;
    private static final int MAC_ADDRESSES_LENGTH = 12;

    final UnsafeBuffer ring;
    final long ringAddress;
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private final int vnetLength;
    /** Link MTU at open: the segment size for GSO frames received without a virtio-net header. */
    private final int mtu;
    private final int hdrlen;
    private final int sockaddrOffset;
    private final int statusOffset;
    private final int lengthOffset;
    private final int snapLengthOffset;
    private final int macOffset;
    private final int vlanTciOffset;
    private final int vlanTpidOffset;
    private long outgoingSkipped;
    private long truncated;

    PacketRxRing(final TpacketVersion version, final long address, final int length, final int vnetLength, final int mtu)
    {
        this.ring = new UnsafeBuffer(address, length);
        this.ringAddress = address;
        this.vnetLength = vnetLength;
        this.mtu = mtu;
        this.hdrlen = version.hdrlen;
        this.sockaddrOffset = version.sockaddrOffset;
        this.statusOffset = version.statusOffset;
        this.lengthOffset = version.lengthOffset;
        this.snapLengthOffset = version.snapLengthOffset;
        this.macOffset = version.macOffset;
        this.vlanTciOffset = version.vlanTciOffset;
        this.vlanTpidOffset = version.vlanTpidOffset;
    }

    /** Appends up to {@code limit} waiting frames to {@code batch}; see {@link dev.wharf.dataplane.port.PortQueue#receive}. */
    abstract int receive(PacketBatch batch, int portId, int limit);

    /** Gives every frame handed out since the last call back to the kernel. */
    abstract void releaseReceived();

    /**
     * Appends the frame whose header is at {@code header} to the batch, unless it is one to skip.
     *
     * @return true when the frame went into the batch.
     */
    final boolean readFrame(final PacketBatch batch, final int portId, final int header)
    {
        final UnsafeBuffer ring = this.ring;
        if (SockaddrLlFlyweight.packetType(ring, header + sockaddrOffset) == SockaddrLlFlyweight.PACKET_OUTGOING)
        {
            // PACKET_IGNORE_OUTGOING covers this on kernels that have it; this is the fallback
            outgoingSkipped++;
            return false;
        }
        int length = ring.getInt(header + snapLengthOffset);
        if (length != ring.getInt(header + lengthOffset))
        {
            // larger than the frame or block could hold: the kernel kept only its start
            truncated++;
            return false;
        }
        final int mac = ring.getShort(header + macOffset) & 0xFFFF;
        int frame = header + mac;
        int headroom = mac - vnetLength - hdrlen;
        final int status = ring.getInt(header + statusOffset);
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
                ring.getShort(header + vlanTpidOffset) & 0xFFFF : SoftwareOffload.TPID_8021Q;
            final int tci = ring.getShort(header + vlanTciOffset) & 0xFFFF;
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

    long outgoingSkipped()
    {
        return outgoingSkipped;
    }

    long truncated()
    {
        return truncated;
    }
}
