package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** TCP header (RFC 9293). */
public final class TcpFlyweight
{
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_OFFSET = 18;
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private MutableDirectBuffer buffer;
    private int offset;

    public TcpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int sourcePort()
    {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, NETWORK) & 0xFFFF;
    }

    public TcpFlyweight sourcePort(final int port)
    {
        buffer.putShort(offset + SOURCE_PORT_OFFSET, (short)port, NETWORK);
        return this;
    }

    public int destinationPort()
    {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, NETWORK) & 0xFFFF;
    }

    public TcpFlyweight destinationPort(final int port)
    {
        buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)port, NETWORK);
        return this;
    }

    public long sequence()
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, NETWORK) & 0xFFFF_FFFFL;
    }

    /** Writes the low 32 bits: sequence numbers wrap (RFC 9293 3.4). */
    public TcpFlyweight sequence(final long sequence)
    {
        buffer.putInt(offset + SEQUENCE_OFFSET, (int)sequence, NETWORK);
        return this;
    }

    public long acknowledgment()
    {
        return buffer.getInt(offset + ACKNOWLEDGMENT_OFFSET, NETWORK) & 0xFFFF_FFFFL;
    }

    public TcpFlyweight acknowledgment(final long acknowledgment)
    {
        buffer.putInt(offset + ACKNOWLEDGMENT_OFFSET, (int)acknowledgment, NETWORK);
        return this;
    }

    /** Header length in bytes (data offset * 4). */
    public int headerLength()
    {
        return ((buffer.getByte(offset + DATA_OFFSET_OFFSET) >>> 4) & 0xF) << 2;
    }

    /** Writes the data offset for a header length in bytes (a multiple of 4); the reserved bits become 0. */
    public TcpFlyweight headerLength(final int headerLength)
    {
        buffer.putByte(offset + DATA_OFFSET_OFFSET, (byte)((headerLength >>> 2) << 4));
        return this;
    }

    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public TcpFlyweight flags(final int flags)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    public int window()
    {
        return buffer.getShort(offset + WINDOW_OFFSET, NETWORK) & 0xFFFF;
    }

    public TcpFlyweight window(final int window)
    {
        buffer.putShort(offset + WINDOW_OFFSET, (short)window, NETWORK);
        return this;
    }

    public int urgentPointer()
    {
        return buffer.getShort(offset + URGENT_OFFSET, NETWORK) & 0xFFFF;
    }

    public TcpFlyweight urgentPointer(final int pointer)
    {
        buffer.putShort(offset + URGENT_OFFSET, (short)pointer, NETWORK);
        return this;
    }

    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
    }

    public TcpFlyweight checksum(final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, NETWORK);
        return this;
    }

    /**
     * True when the segment of {@code length} bytes (header and payload) sums to 0xFFFF with its
     * pseudo-header ({@link Ipv4Flyweight#pseudoHeaderSum}).
     */
    public boolean isChecksumValid(final long pseudoHeaderSum, final int length)
    {
        return Checksums.fold(Checksums.sum(buffer, offset, length, pseudoHeaderSum)) == 0xFFFF;
    }

    /** Computes the checksum from scratch over the pseudo-header and the segment's {@code length} bytes. */
    public TcpFlyweight updateChecksum(final long pseudoHeaderSum, final int length)
    {
        checksum(0);
        checksum(Checksums.finish(Checksums.sum(buffer, offset, length, pseudoHeaderSum)));
        return this;
    }
}
