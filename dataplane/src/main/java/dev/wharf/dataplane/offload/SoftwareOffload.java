package dev.wharf.dataplane.offload;

import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.protocol.Checksums;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * What a NIC or the kernel would do with offload metadata, done in software where the egress cannot
 * take a virtio-net header: TCP (IPv4/IPv6) and UDP (USO) segmentation of GSO super-frames, and
 * completion of partial checksums. Segments are written one at a time into memory the caller owns
 * (a transmit ring frame, a scratch buffer), each with its own IP length/ID/checksum, TCP sequence,
 * flags and full L4 checksum, optionally with an 802.1Q tag inserted after the source MAC.
 *
 * <p>One instance per port queue, used by that queue's worker only; {@link #prepare} parses the frame
 * once and {@link #writeSegment} reads the parse. No allocation.
 */
public final class SoftwareOffload
{
    public static final int UNSUPPORTED = -1;

    public static final int ETHERTYPE_OFFSET = 12;
    public static final int ETHERNET_HEADER_LENGTH = 14;
    public static final int MAC_ADDRESSES_LENGTH = 12;
    public static final int VLAN_TAG_LENGTH = 4;
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    private static final int IPV4_ID_OFFSET = 4;
    private static final int IPV4_PROTOCOL_OFFSET = 9;
    private static final int IPV4_CHECKSUM_OFFSET = 10;
    private static final int IPV4_ADDRESSES_OFFSET = 12;
    private static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    private static final int IPV6_NEXT_HEADER_OFFSET = 6;
    private static final int IPV6_ADDRESSES_OFFSET = 8;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int TCP_SEQUENCE_OFFSET = 4;
    private static final int TCP_DATA_OFFSET_OFFSET = 12;
    private static final int TCP_FLAGS_OFFSET = 13;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int TCP_FIN_PSH = 0x01 | 0x08;
    private static final int TCP_CWR = 0x80;
    private static final int UDP_LENGTH_OFFSET = 4;
    private static final int UDP_CHECKSUM_OFFSET = 6;
    private static final int UDP_HEADER_LENGTH = 8;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
    private int l3Offset;
    private int l4Offset;
    private int l4HeaderLength;
    private int payloadLength;
    private int segmentSize;
    private int segmentCount;
    private boolean ipv4;
    private boolean tcp;

    /**
     * Parses the GSO frame at {@code address} for segmentation.
     *
     * @return the number of segments it becomes, or {@link #UNSUPPORTED} (not TCP/UDP over IP, UFO, malformed).
     */
    public int prepare(final long address, final int length, final long info)
    {
        segmentCount = UNSUPPORTED;
        if (length < ETHERNET_HEADER_LENGTH)
        {
            return UNSUPPORTED;
        }
        source.wrap(address, length);
        final int gsoType = OffloadInfo.gsoType(info) & ~OffloadInfo.GSO_ECN;
        segmentSize = OffloadInfo.gsoSize(info);
        if (segmentSize == 0)
        {
            return UNSUPPORTED;
        }
        final int l3 = l3Offset(source, length);
        if (l3 < 0)
        {
            return UNSUPPORTED;
        }
        l3Offset = l3;
        final int ethertype = source.getShort(l3 - 2, NETWORK) & 0xFFFF;
        ipv4 = ethertype == ETHERTYPE_IPV4;
        final int protocol;
        if (ipv4)
        {
            if (l3 + 20 > length)
            {
                return UNSUPPORTED;
            }
            protocol = source.getByte(l3 + IPV4_PROTOCOL_OFFSET) & 0xFF;
            l4Offset = l3 + ((source.getByte(l3) & 0x0F) << 2);
            if (l4Offset < l3 + 20)
            {
                return UNSUPPORTED;
            }
        }
        else if (ethertype == ETHERTYPE_IPV6)
        {
            if (l3 + IPV6_HEADER_LENGTH > length)
            {
                return UNSUPPORTED;
            }
            protocol = source.getByte(l3 + IPV6_NEXT_HEADER_OFFSET) & 0xFF;
            l4Offset = l3 + IPV6_HEADER_LENGTH;
        }
        else
        {
            return UNSUPPORTED;
        }
        if (OffloadInfo.needsChecksum(info))
        {
            // csum_start is authoritative: it steps over IPv6 extension headers the loop above does not parse
            l4Offset = OffloadInfo.csumStart(info);
        }
        // with IPv6 extension headers the first next-header is not the transport protocol
        final boolean directL4 = ipv4 || l4Offset == l3 + IPV6_HEADER_LENGTH;
        switch (gsoType)
        {
            case OffloadInfo.GSO_TCPV4:
            case OffloadInfo.GSO_TCPV6:
                if ((gsoType == OffloadInfo.GSO_TCPV4) != ipv4 || (directL4 && protocol != PROTOCOL_TCP) || l4Offset + 20 > length)
                {
                    return UNSUPPORTED;
                }
                tcp = true;
                l4HeaderLength = ((source.getByte(l4Offset + TCP_DATA_OFFSET_OFFSET) >>> 4) & 0x0F) << 2;
                if (l4HeaderLength < 20)
                {
                    return UNSUPPORTED;
                }
                break;
            case OffloadInfo.GSO_UDP_L4:
                if (directL4 && protocol != PROTOCOL_UDP)
                {
                    return UNSUPPORTED;
                }
                tcp = false;
                l4HeaderLength = UDP_HEADER_LENGTH;
                break;
            default:
                return UNSUPPORTED;
        }
        final int headers = l4Offset + l4HeaderLength;
        if (l4Offset < l3 || headers > length)
        {
            return UNSUPPORTED;
        }
        payloadLength = length - headers;
        segmentCount = payloadLength == 0 ? 1 : (payloadLength + segmentSize - 1) / segmentSize;
        return segmentCount;
    }

    /** Length of segment {@code k} of the prepared frame, including a tag when one is inserted. */
    public int segmentLength(final int k, final int vlanTci)
    {
        return (vlanTci == PortQueue.NO_TAG ? 0 : VLAN_TAG_LENGTH) + l4Offset + l4HeaderLength + segmentPayload(k);
    }

    /** Largest segment of the prepared frame, without a tag. */
    public int largestSegmentLength()
    {
        return l4Offset + l4HeaderLength + Math.min(segmentSize, payloadLength);
    }

    private int segmentPayload(final int k)
    {
        return Math.min(segmentSize, payloadLength - k * segmentSize);
    }

    /**
     * Writes segment {@code k} of the prepared frame at {@code offset} of {@code dst}, with complete
     * checksums, inserting an 802.1Q tag unless {@code vlanTci} is {@link PortQueue#NO_TAG}.
     *
     * @return bytes written.
     */
    public int writeSegment(final int k, final MutableDirectBuffer dst, final int offset, final int vlanTci)
    {
        final int headers = l4Offset + l4HeaderLength;
        final int payload = segmentPayload(k);
        final int shift = copyWithTag(source, 0, headers, dst, offset, vlanTci) - headers;
        dst.putBytes(offset + shift + headers, source, headers + k * segmentSize, payload);
        final int ip = offset + shift + l3Offset;
        final int l4 = offset + shift + l4Offset;
        final int l4Length = l4HeaderLength + payload;
        final long pseudo;
        final int protocol = tcp ? PROTOCOL_TCP : PROTOCOL_UDP;
        if (ipv4)
        {
            final int headerLength = l4Offset - l3Offset;
            dst.putShort(ip + IPV4_TOTAL_LENGTH_OFFSET, (short)(headerLength + l4Length), NETWORK);
            final int id = source.getShort(l3Offset + IPV4_ID_OFFSET, NETWORK) & 0xFFFF;
            dst.putShort(ip + IPV4_ID_OFFSET, (short)(id + k), NETWORK);
            dst.putShort(ip + IPV4_CHECKSUM_OFFSET, (short)0);
            dst.putShort(ip + IPV4_CHECKSUM_OFFSET, (short)Checksums.finish(Checksums.sum(dst, ip, headerLength, 0)), NETWORK);
            pseudo = Checksums.sum(dst, ip + IPV4_ADDRESSES_OFFSET, 8, protocol + l4Length);
        }
        else
        {
            dst.putShort(ip + IPV6_PAYLOAD_LENGTH_OFFSET, (short)(l4Offset - l3Offset - IPV6_HEADER_LENGTH + l4Length), NETWORK);
            pseudo = Checksums.sum(dst, ip + IPV6_ADDRESSES_OFFSET, 32, protocol + l4Length);
        }
        final int checksumAt;
        if (tcp)
        {
            final long sequence = source.getInt(l4Offset + TCP_SEQUENCE_OFFSET, NETWORK) & 0xFFFF_FFFFL;
            dst.putInt(l4 + TCP_SEQUENCE_OFFSET, (int)(sequence + (long)k * segmentSize), NETWORK);
            int flags = source.getByte(l4Offset + TCP_FLAGS_OFFSET) & 0xFF;
            if (k != segmentCount - 1)
            {
                flags &= ~TCP_FIN_PSH;
            }
            if (k != 0)
            {
                // the congestion window reduction is signalled once, as the kernel's GSO does
                flags &= ~TCP_CWR;
            }
            dst.putByte(l4 + TCP_FLAGS_OFFSET, (byte)flags);
            checksumAt = l4 + TCP_CHECKSUM_OFFSET;
        }
        else
        {
            dst.putShort(l4 + UDP_LENGTH_OFFSET, (short)l4Length, NETWORK);
            checksumAt = l4 + UDP_CHECKSUM_OFFSET;
        }
        dst.putShort(checksumAt, (short)0);
        final int checksum = Checksums.finish(Checksums.sum(dst, l4, l4Length, pseudo));
        dst.putShort(checksumAt, (short)(checksum == 0 ? 0xFFFF : checksum), NETWORK);
        return shift + headers + payload;
    }

    /**
     * Completes a partial checksum in place: the field at {@code csumStart + csumOffset} holds the
     * pseudo-header sum; the Internet checksum of everything from {@code csumStart} replaces it.
     *
     * @return false when the offsets do not fit the frame.
     */
    public static boolean completeChecksum(
        final MutableDirectBuffer frame, final int frameOffset, final int length, final int csumStart, final int csumOffset)
    {
        if (csumStart < ETHERNET_HEADER_LENGTH || csumStart + csumOffset + 2 > length)
        {
            return false;
        }
        final int at = frameOffset + csumStart + csumOffset;
        final int checksum = Checksums.finish(Checksums.sum(frame, frameOffset + csumStart, length - csumStart, 0));
        // 0 and 0xFFFF are the same sum; UDP reserves 0 for "no checksum"
        frame.putShort(at, (short)(checksum == 0 ? 0xFFFF : checksum), NETWORK);
        return true;
    }

    /**
     * Copies a frame, inserting an 802.1Q tag after the source MAC unless {@code vlanTci} is
     * {@link PortQueue#NO_TAG}.
     *
     * @return bytes written.
     */
    public static int copyWithTag(
        final DirectBuffer src, final int srcOffset, final int length, final MutableDirectBuffer dst, final int dstOffset, final int vlanTci)
    {
        if (vlanTci == PortQueue.NO_TAG)
        {
            dst.putBytes(dstOffset, src, srcOffset, length);
            return length;
        }
        dst.putBytes(dstOffset, src, srcOffset, MAC_ADDRESSES_LENGTH);
        dst.putShort(dstOffset + MAC_ADDRESSES_LENGTH, (short)TPID_8021Q, NETWORK);
        dst.putShort(dstOffset + MAC_ADDRESSES_LENGTH + 2, (short)vlanTci, NETWORK);
        dst.putBytes(dstOffset + MAC_ADDRESSES_LENGTH + VLAN_TAG_LENGTH, src, srcOffset + MAC_ADDRESSES_LENGTH, length - MAC_ADDRESSES_LENGTH);
        return length + VLAN_TAG_LENGTH;
    }

    /**
     * The hdr_len to write in a virtio-net header: bytes in front of the payload for a GSO frame,
     * the end of the checksum field for a partial checksum, 0 otherwise (the kernel treats it as a hint
     * and raises it where it must).
     */
    public static int headerLength(final DirectBuffer frame, final int length, final long info)
    {
        if (!OffloadInfo.needsChecksum(info))
        {
            return 0;
        }
        final int start = OffloadInfo.csumStart(info);
        final int gsoType = OffloadInfo.gsoType(info) & ~OffloadInfo.GSO_ECN;
        if ((gsoType == OffloadInfo.GSO_TCPV4 || gsoType == OffloadInfo.GSO_TCPV6) && start + 20 <= length)
        {
            return start + (((frame.getByte(start + TCP_DATA_OFFSET_OFFSET) >>> 4) & 0x0F) << 2);
        }
        if (gsoType == OffloadInfo.GSO_UDP_L4)
        {
            return start + UDP_HEADER_LENGTH;
        }
        return start + OffloadInfo.csumOffset(info) + 2;
    }

    /**
     * Offload metadata for a frame the kernel handed over with its checksum not yet computed but no
     * virtio-net header (TP_STATUS_CSUMNOTREADY on a port without offloads): finds the TCP or UDP
     * checksum over IPv4/IPv6.
     *
     * @return the metadata, or 0 when the frame is not TCP/UDP over IP.
     */
    public static long partialChecksumOf(final DirectBuffer frame, final int length)
    {
        final int l3 = l3Offset(frame, length);
        if (l3 < 0)
        {
            return 0;
        }
        final int ethertype = frame.getShort(l3 - 2, NETWORK) & 0xFFFF;
        final int l4;
        final int protocol;
        if (ethertype == ETHERTYPE_IPV4 && l3 + 20 <= length)
        {
            l4 = l3 + ((frame.getByte(l3) & 0x0F) << 2);
            protocol = frame.getByte(l3 + IPV4_PROTOCOL_OFFSET) & 0xFF;
        }
        else if (ethertype == ETHERTYPE_IPV6 && l3 + IPV6_HEADER_LENGTH <= length)
        {
            l4 = l3 + IPV6_HEADER_LENGTH;
            protocol = frame.getByte(l3 + IPV6_NEXT_HEADER_OFFSET) & 0xFF;
        }
        else
        {
            return 0;
        }
        if (protocol == PROTOCOL_TCP && l4 + 20 <= length)
        {
            return OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_NONE, 0, l4, TCP_CHECKSUM_OFFSET);
        }
        if (protocol == PROTOCOL_UDP && l4 + UDP_HEADER_LENGTH <= length)
        {
            return OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_NONE, 0, l4, UDP_CHECKSUM_OFFSET);
        }
        return 0;
    }

    /**
     * GSO metadata for a TCP super-frame that arrived without a virtio-net header (TP_STATUS_GSO_TCP on
     * a port without offloads): segments as large as the link MTU allows.
     *
     * @param partial the frame's partial checksum metadata from {@link #partialChecksumOf}.
     * @return the metadata with GSO type and size, or {@code partial} when the frame fits the MTU.
     */
    public static long tcpGsoOf(final DirectBuffer frame, final int length, final long partial, final int mtu)
    {
        final int l3 = l3Offset(frame, length);
        final int l4 = OffloadInfo.csumStart(partial);
        if (l3 < 0 || OffloadInfo.csumOffset(partial) != TCP_CHECKSUM_OFFSET || length - l3 <= mtu || l4 + 20 > length)
        {
            return partial;
        }
        final int tcpHeaderLength = ((frame.getByte(l4 + TCP_DATA_OFFSET_OFFSET) >>> 4) & 0x0F) << 2;
        final int segmentSize = mtu - (l4 - l3) - tcpHeaderLength;
        if (segmentSize <= 0)
        {
            return partial;
        }
        final boolean ipv4 = (frame.getShort(l3 - 2, NETWORK) & 0xFFFF) == ETHERTYPE_IPV4;
        return OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, ipv4 ? OffloadInfo.GSO_TCPV4 : OffloadInfo.GSO_TCPV6, segmentSize, l4,
            TCP_CHECKSUM_OFFSET);
    }

    /** Offset of the L3 header after the Ethernet header and any in-frame VLAN tags, or -1. */
    public static int l3Offset(final DirectBuffer frame, final int length)
    {
        int offset = ETHERTYPE_OFFSET;
        while (offset + 2 <= length)
        {
            final int ethertype = frame.getShort(offset, NETWORK) & 0xFFFF;
            if (ethertype != TPID_8021Q && ethertype != TPID_8021AD)
            {
                return offset + 2;
            }
            offset += VLAN_TAG_LENGTH;
        }
        return -1;
    }
}
