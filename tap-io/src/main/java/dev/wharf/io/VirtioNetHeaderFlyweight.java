package dev.wharf.io;

import dev.wharf.dataplane.offload.OffloadInfo;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * {@code struct virtio_net_hdr} (include/uapi/linux/virtio_net.h), the 10 bytes in front of every
 * frame on a PACKET_VNET_HDR socket or an IFF_VNET_HDR TAP: offload metadata that lets GSO super-frames
 * and partial checksums cross the kernel boundary intact. These sockets use the legacy virtio byte
 * order, little-endian on x86. Static codec to and from {@link OffloadInfo}; worker thread hot path.
 */
public final class VirtioNetHeaderFlyweight
{
    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;
    public static final int LENGTH = 10;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private VirtioNetHeaderFlyweight()
    {
    }

    /** The header at {@code offset}, packed as {@link OffloadInfo}. */
    public static long read(final DirectBuffer buffer, final int offset)
    {
        final int flags = buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
        final int gsoType = buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
        if (flags == 0 && gsoType == 0)
        {
            return 0;
        }
        return OffloadInfo.pack(
            flags,
            gsoType,
            buffer.getShort(offset + GSO_SIZE_OFFSET, ORDER) & 0xFFFF,
            buffer.getShort(offset + CSUM_START_OFFSET, ORDER) & 0xFFFF,
            buffer.getShort(offset + CSUM_OFFSET_OFFSET, ORDER) & 0xFFFF);
    }

    /**
     * Writes {@code info} as a header at {@code offset}.
     *
     * @param headerLength bytes of headers in front of the payload (hdr_len), a hint to the kernel.
     * @param startShift   bytes inserted in front of the checksum start since {@code info} was taken (a VLAN tag: 4).
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final long info, final int headerLength, final int startShift)
    {
        if (info == 0)
        {
            buffer.putLong(offset, 0);
            buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)0);
            return;
        }
        final boolean needsChecksum = OffloadInfo.needsChecksum(info);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)OffloadInfo.flags(info));
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)OffloadInfo.gsoType(info));
        buffer.putShort(offset + HDR_LEN_OFFSET, (short)(headerLength == 0 ? 0 : headerLength + startShift), ORDER);
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)OffloadInfo.gsoSize(info), ORDER);
        buffer.putShort(offset + CSUM_START_OFFSET, (short)(needsChecksum ? OffloadInfo.csumStart(info) + startShift : 0), ORDER);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)(needsChecksum ? OffloadInfo.csumOffset(info) : 0), ORDER);
    }
}
