package dev.wharf.io;

/**
 * The {@code tp_status} bits of PACKET_MMAP frames (include/uapi/linux/if_packet.h), the same for
 * every TPACKET version; only where the word sits in the frame header differs ({@link TpacketVersion}).
 */
final class TpacketStatus
{
    /** Receive: the frame belongs to the kernel, which may fill it. */
    static final int TP_STATUS_KERNEL = 0;
    /** Receive: the frame holds a packet for user space. */
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    static final int TP_STATUS_CSUM_VALID = 1 << 7;
    static final int TP_STATUS_GSO_TCP = 1 << 8;

    /** Transmit: the slot is free for user space (timestamp bits may be set beside it). */
    static final int TP_STATUS_AVAILABLE = 0;
    static final int TP_STATUS_SEND_REQUEST = 1;
    static final int TP_STATUS_SENDING = 2;
    static final int TP_STATUS_WRONG_FORMAT = 4;
    /**
     * Transmit bits that mean the kernel still owns a slot: SEND_REQUEST until sendto() takes it,
     * SENDING until the skb built over the slot's pages is released (tpacket_destruct_skb).
     */
    static final int TX_BUSY_MASK = TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING;

    private TpacketStatus()
    {
    }
}
