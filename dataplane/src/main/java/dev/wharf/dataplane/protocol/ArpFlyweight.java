package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** ARP for IPv4 over Ethernet (RFC 826), the only form a bridge gateway answers. */
public final class ArpFlyweight
{
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_IP_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_IP_OFFSET = 24;
    public static final int LENGTH = 28;

    public static final int HARDWARE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private MutableDirectBuffer buffer;
    private int offset;

    public ArpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** Ethernet/IPv4 with the standard address lengths. */
    public boolean isEthernetIpv4()
    {
        return (buffer.getShort(offset + HARDWARE_TYPE_OFFSET, NETWORK) & 0xFFFF) == HARDWARE_ETHERNET &&
            (buffer.getShort(offset + PROTOCOL_TYPE_OFFSET, NETWORK) & 0xFFFF) == EthernetFlyweight.TYPE_IPV4 &&
            buffer.getByte(offset + HARDWARE_LENGTH_OFFSET) == 6 &&
            buffer.getByte(offset + PROTOCOL_LENGTH_OFFSET) == 4;
    }

    /** Writes the Ethernet/IPv4 format fields (hardware and protocol types and lengths). */
    public ArpFlyweight ethernetIpv4()
    {
        buffer.putShort(offset + HARDWARE_TYPE_OFFSET, (short)HARDWARE_ETHERNET, NETWORK);
        buffer.putShort(offset + PROTOCOL_TYPE_OFFSET, (short)EthernetFlyweight.TYPE_IPV4, NETWORK);
        buffer.putByte(offset + HARDWARE_LENGTH_OFFSET, (byte)6);
        buffer.putByte(offset + PROTOCOL_LENGTH_OFFSET, (byte)4);
        return this;
    }

    public int operation()
    {
        return buffer.getShort(offset + OPERATION_OFFSET, NETWORK) & 0xFFFF;
    }

    public ArpFlyweight operation(final int op)
    {
        buffer.putShort(offset + OPERATION_OFFSET, (short)op, NETWORK);
        return this;
    }

    public long senderMac()
    {
        return MacAddress.read(buffer, offset + SENDER_MAC_OFFSET);
    }

    public ArpFlyweight senderMac(final long mac)
    {
        MacAddress.write(buffer, offset + SENDER_MAC_OFFSET, mac);
        return this;
    }

    public int senderIp()
    {
        return buffer.getInt(offset + SENDER_IP_OFFSET, NETWORK);
    }

    public ArpFlyweight senderIp(final int ip)
    {
        buffer.putInt(offset + SENDER_IP_OFFSET, ip, NETWORK);
        return this;
    }

    public long targetMac()
    {
        return MacAddress.read(buffer, offset + TARGET_MAC_OFFSET);
    }

    public ArpFlyweight targetMac(final long mac)
    {
        MacAddress.write(buffer, offset + TARGET_MAC_OFFSET, mac);
        return this;
    }

    public int targetIp()
    {
        return buffer.getInt(offset + TARGET_IP_OFFSET, NETWORK);
    }

    public ArpFlyweight targetIp(final int ip)
    {
        buffer.putInt(offset + TARGET_IP_OFFSET, ip, NETWORK);
        return this;
    }
}
