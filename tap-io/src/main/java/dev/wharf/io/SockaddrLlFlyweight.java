package dev.wharf.io;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_ll} (include/uapi/linux/if_packet.h): binds a packet socket to an interface,
 * and follows each received frame's tpacket3_hdr in the ring, where {@code sll_pkttype} tells the
 * direction.
 */
public final class SockaddrLlFlyweight
{
    public static final int FAMILY_OFFSET = 0;
    public static final int PROTOCOL_OFFSET = 2;
    public static final int IFINDEX_OFFSET = 4;
    public static final int HATYPE_OFFSET = 8;
    public static final int PKTTYPE_OFFSET = 10;
    public static final int HALEN_OFFSET = 11;
    public static final int ADDR_OFFSET = 12;
    public static final int LENGTH = 20;

    public static final int ETH_P_ALL = 0x0003;
    public static final int PACKET_OUTGOING = 4;

    private MutableDirectBuffer buffer;
    private int offset;

    public SockaddrLlFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    public SockaddrLlFlyweight family(final int family)
    {
        buffer.putShort(offset + FAMILY_OFFSET, (short)family, ByteOrder.nativeOrder());
        return this;
    }

    /** The protocol is in network byte order, as htons(ETH_P_ALL). */
    public SockaddrLlFlyweight protocol(final int ethertype)
    {
        buffer.putShort(offset + PROTOCOL_OFFSET, (short)ethertype, ByteOrder.BIG_ENDIAN);
        return this;
    }

    public SockaddrLlFlyweight interfaceIndex(final int index)
    {
        buffer.putInt(offset + IFINDEX_OFFSET, index, ByteOrder.nativeOrder());
        return this;
    }

    /** The packet type of a received frame whose sockaddr_ll starts at {@code address} in the ring. */
    public static int packetType(final UnsafeBuffer ring, final int address)
    {
        return ring.getByte(address + PKTTYPE_OFFSET) & 0xFF;
    }
}
