package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** IPv6 fixed header (RFC 8200). Addresses are read as two {@code long}s, high then low. */
public final class Ipv6Flyweight
{
    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;
    public static final int HEADER_LENGTH = 40;

    public static final int NEXT_HEADER_ICMPV6 = 58;

    private MutableDirectBuffer buffer;
    private int offset;

    public Ipv6Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int version()
    {
        return (buffer.getByte(offset) >>> 4) & 0xF;
    }

    public int trafficClass()
    {
        return (buffer.getInt(offset, NETWORK) >>> 20) & 0xFF;
    }

    public int flowLabel()
    {
        return buffer.getInt(offset, NETWORK) & 0xF_FFFF;
    }

    public int payloadLength()
    {
        return buffer.getShort(offset + PAYLOAD_LENGTH_OFFSET, NETWORK) & 0xFFFF;
    }

    public int nextHeader()
    {
        return buffer.getByte(offset + NEXT_HEADER_OFFSET) & 0xFF;
    }

    public int hopLimit()
    {
        return buffer.getByte(offset + HOP_LIMIT_OFFSET) & 0xFF;
    }

    public Ipv6Flyweight hopLimit(final int hopLimit)
    {
        buffer.putByte(offset + HOP_LIMIT_OFFSET, (byte)hopLimit);
        return this;
    }

    public long sourceHigh()
    {
        return buffer.getLong(offset + SOURCE_OFFSET, NETWORK);
    }

    public long sourceLow()
    {
        return buffer.getLong(offset + SOURCE_OFFSET + 8, NETWORK);
    }

    public long destinationHigh()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET, NETWORK);
    }

    public long destinationLow()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET + 8, NETWORK);
    }
}
