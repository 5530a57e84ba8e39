package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code struct tpacket2_hdr} (include/uapi/linux/if_packet.h): the header at the start of every
 * fixed-size frame of a TPACKET_V2 ring, followed at {@link #LENGTH} by a {@code sockaddr_ll}. Each
 * receive frame is handed over on its own through {@code tp_status}, so the kernel wakes poll(2) once
 * per frame instead of once per block. Static accessors over the ring buffer, native byte order.
 */
public final class Tpacket2HeaderFlyweight
{
    public static final int STATUS_OFFSET = 0;
    public static final int LEN_OFFSET = 4;
    public static final int SNAPLEN_OFFSET = 8;
    public static final int MAC_OFFSET = 12;
    public static final int NET_OFFSET = 14;
    public static final int SEC_OFFSET = 16;
    public static final int NSEC_OFFSET = 20;
    public static final int VLAN_TCI_OFFSET = 24;
    public static final int VLAN_TPID_OFFSET = 26;
    /** TPACKET_ALIGN(sizeof(struct tpacket2_hdr)): where the sockaddr_ll starts. */
    public static final int LENGTH = 32;
    /** TPACKET2_HDRLEN: the header and the sockaddr_ll after it. */
    public static final int HDRLEN = LENGTH + SockaddrLlFlyweight.LENGTH;
    /** tp_hdrlen - sizeof(sockaddr_ll): where tpacket_snd reads a transmit frame. */
    public static final int TX_DATA_OFFSET = HDRLEN - SockaddrLlFlyweight.LENGTH;

    private Tpacket2HeaderFlyweight()
    {
    }

    /** Volatile: the kernel fills the frame and its header first and writes the status last. */
    public static int statusVolatile(final UnsafeBuffer ring, final int header)
    {
        return ring.getIntVolatile(header + STATUS_OFFSET);
    }

    /** Release write: every read and in-place rewrite of the frame happens before the kernel may refill it. */
    public static void releaseToKernel(final UnsafeBuffer ring, final int header)
    {
        ring.putIntRelease(header + STATUS_OFFSET, TpacketStatus.TP_STATUS_KERNEL);
    }
}
