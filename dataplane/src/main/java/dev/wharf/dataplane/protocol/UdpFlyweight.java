package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** UDP header (RFC 768). */
public final class UdpFlyweight
{
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;

    private MutableDirectBuffer buffer;
    private int offset;

    public UdpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int sourcePort()
    {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, NETWORK) & 0xFFFF;
    }

    public UdpFlyweight sourcePort(final int port)
    {
        buffer.putShort(offset + SOURCE_PORT_OFFSET, (short)port, NETWORK);
        return this;
    }

    public int destinationPort()
    {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, NETWORK) & 0xFFFF;
    }

    public UdpFlyweight destinationPort(final int port)
    {
        buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)port, NETWORK);
        return this;
    }

    public int length()
    {
        return buffer.getShort(offset + LENGTH_OFFSET, NETWORK) & 0xFFFF;
    }

    public UdpFlyweight length(final int length)
    {
        buffer.putShort(offset + LENGTH_OFFSET, (short)length, NETWORK);
        return this;
    }

    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
    }

    public UdpFlyweight checksum(final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, NETWORK);
        return this;
    }
}
