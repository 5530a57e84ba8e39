package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code struct tpacket3_hdr} (if_packet.h): the header in front of each frame of a TPACKET_V3 ring,
 * followed at {@link #LENGTH} by a {@code sockaddr_ll}. On receive the frame starts at {@code tp_mac}
 * from the header; on transmit (no PACKET_TX_HAS_OFF) the kernel reads the frame at
 * {@link #TX_DATA_OFFSET}. Static accessors over the ring buffer, native byte order; the fields both
 * versions share are read through {@link TpacketVersion}'s offsets.
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
    /** A u32 (tpacket_hdr_variant1), unlike tpacket2_hdr's u16. */
    public static final int VLAN_TCI_OFFSET = 32;
    public static final int VLAN_TPID_OFFSET = 36;
    /** TPACKET_ALIGN(sizeof(struct tpacket3_hdr)). */
    public static final int LENGTH = 48;
    /** TPACKET3_HDRLEN: the header and the sockaddr_ll after it; receive frames start after this. */
    public static final int HDRLEN = LENGTH + SockaddrLlFlyweight.LENGTH;
    /** tp_hdrlen - sizeof(sockaddr_ll): where tpacket_snd reads a transmit frame. */
    public static final int TX_DATA_OFFSET = HDRLEN - SockaddrLlFlyweight.LENGTH;

    private Tpacket3HeaderFlyweight()
    {
    }

    public static int nextOffset(final UnsafeBuffer ring, final int header)
    {
        return ring.getInt(header + NEXT_OFFSET_OFFSET);
    }
}
