package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code struct tpacket3_hdr} (if_packet.h): the header in front of each frame of a TPACKET_V3 ring,
 * followed at {@link #LENGTH} by a {@code sockaddr_ll}. On receive the frame starts at {@code tp_mac}
 * from the header; on transmit (no PACKET_TX_HAS_OFF) the kernel reads the frame at
 * {@link #TX_DATA_OFFSET}. Static accessors over the ring buffer, native byte order.
 */
public final class Tpacket3HeaderFlyweight
{
    public static final int NEXT_OFFSET_OFFSET = 0;
    public static final int SEC_OFFSET = 4;
    public static final int NSEC_OFFSET = 8;
    public static final int SNAPLEN_OFFSET = 12;
    public static final int LEN_OFFSET = 16;
    public static final int STATUS_OFFSET = 20;
    public static final int MAC_OFFSET = 24;
    public static final int NET_OFFSET = 26;
    public static final int RXHASH_OFFSET = 28;
    public static final int VLAN_TCI_OFFSET = 32;
    public static final int VLAN_TPID_OFFSET = 36;
    /** TPACKET_ALIGN(sizeof(struct tpacket3_hdr)). */
    public static final int LENGTH = 48;
    /** TPACKET3_HDRLEN: the header and the sockaddr_ll after it; receive frames start after this. */
    public static final int HDRLEN = LENGTH + SockaddrLlFlyweight.LENGTH;
    /** tp_hdrlen - sizeof(sockaddr_ll): where tpacket_snd reads a transmit frame. */
    public static final int TX_DATA_OFFSET = HDRLEN - SockaddrLlFlyweight.LENGTH;

    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    public static final int TP_STATUS_CSUM_VALID = 1 << 7;
    public static final int TP_STATUS_GSO_TCP = 1 << 8;

    public static final int TP_STATUS_AVAILABLE = 0;
    public static final int TP_STATUS_SEND_REQUEST = 1;
    public static final int TP_STATUS_SENDING = 2;
    public static final int TP_STATUS_WRONG_FORMAT = 4;
    /** Bits that mean the kernel still owns a transmit frame; timestamp bits may be set on a free one. */
    public static final int TX_BUSY_MASK = TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING;

    private Tpacket3HeaderFlyweight()
    {
    }

    public static int nextOffset(final UnsafeBuffer ring, final int header)
    {
        return ring.getInt(header + NEXT_OFFSET_OFFSET);
    }

    public static int snapLength(final UnsafeBuffer ring, final int header)
    {
        return ring.getInt(header + SNAPLEN_OFFSET);
    }

    public static int length(final UnsafeBuffer ring, final int header)
    {
        return ring.getInt(header + LEN_OFFSET);
    }

    public static int status(final UnsafeBuffer ring, final int header)
    {
        return ring.getInt(header + STATUS_OFFSET);
    }

    public static int statusVolatile(final UnsafeBuffer ring, final int header)
    {
        return ring.getIntVolatile(header + STATUS_OFFSET);
    }

    public static int macOffset(final UnsafeBuffer ring, final int header)
    {
        return ring.getShort(header + MAC_OFFSET) & 0xFFFF;
    }

    public static int vlanTci(final UnsafeBuffer ring, final int header)
    {
        return ring.getInt(header + VLAN_TCI_OFFSET) & 0xFFFF;
    }

    public static int vlanTpid(final UnsafeBuffer ring, final int header)
    {
        return ring.getShort(header + VLAN_TPID_OFFSET) & 0xFFFF;
    }

    /** Fills a transmit frame's header and hands it to the kernel with a release write of its status. */
    public static void submit(final UnsafeBuffer ring, final int header, final int length)
    {
        ring.putInt(header + NEXT_OFFSET_OFFSET, 0);
        ring.putInt(header + LEN_OFFSET, length);
        ring.putInt(header + SNAPLEN_OFFSET, length);
        ring.putIntRelease(header + STATUS_OFFSET, TP_STATUS_SEND_REQUEST);
    }
}
