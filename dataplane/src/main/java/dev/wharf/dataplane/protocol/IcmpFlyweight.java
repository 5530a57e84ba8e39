package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** ICMP for IPv4 (RFC 792): type, code, checksum, and the echo identifier/sequence. */
public final class IcmpFlyweight
{
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_PARAMETER_PROBLEM = 12;
    /** Bytes 4-7 of an error message: unused, but for "fragmentation needed", whose last two carry the next-hop MTU. */
    public static final int REST_OF_HEADER_OFFSET = 4;

    /**
     * True for the error messages (RFC 792), which must never be answered with an error (RFC 1122
     * 3.2.2, RFC 1812 4.3.2.7). A type beyond the last one RFC 792/950 define counts as an error too,
     * as Linux counts it: better to stay silent than to risk an error storm.
     */
    public static boolean isErrorType(final int type)
    {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_SOURCE_QUENCH || type == TYPE_REDIRECT ||
            type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM || type > 18;
    }

    /**
     * Rewrites an echo request or reply's identifier at {@code l4} with an RFC 1624 update of its
     * checksum (ICMP has no pseudo-header); other messages carry no identifier and are left alone.
     */
    public static void rewriteEchoIdentifier(final MutableDirectBuffer buffer, final int l4, final int newIdentifier)
    {
        final int type = buffer.getByte(l4 + TYPE_OFFSET) & 0xFF;
        if (type != TYPE_ECHO_REQUEST && type != TYPE_ECHO_REPLY)
        {
            return;
        }
        final int old = buffer.getShort(l4 + IDENTIFIER_OFFSET, NETWORK) & 0xFFFF;
        if (old != newIdentifier)
        {
            buffer.putShort(l4 + IDENTIFIER_OFFSET, (short)newIdentifier, NETWORK);
            final int checksum = buffer.getShort(l4 + CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
            buffer.putShort(l4 + CHECKSUM_OFFSET, (short)Checksums.update16(checksum, old, newIdentifier), NETWORK);
        }
    }

    private MutableDirectBuffer buffer;
    private int offset;

    public IcmpFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int type()
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public IcmpFlyweight type(final int type)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        return this;
    }

    public int code()
    {
        return buffer.getByte(offset + CODE_OFFSET) & 0xFF;
    }

    public IcmpFlyweight code(final int code)
    {
        buffer.putByte(offset + CODE_OFFSET, (byte)code);
        return this;
    }

    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
    }

    public IcmpFlyweight checksum(final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, NETWORK);
        return this;
    }

    /** Writes bytes 4-7 (the echo identifier and sequence, or an error's unused word and MTU). */
    public IcmpFlyweight restOfHeader(final int value)
    {
        buffer.putInt(offset + REST_OF_HEADER_OFFSET, value, NETWORK);
        return this;
    }

    public int identifier()
    {
        return buffer.getShort(offset + IDENTIFIER_OFFSET, NETWORK) & 0xFFFF;
    }

    public int sequence()
    {
        return buffer.getShort(offset + SEQUENCE_OFFSET, NETWORK) & 0xFFFF;
    }

    /** True when the checksum over the whole ICMP message of {@code length} bytes verifies. */
    public boolean isChecksumValid(final int length)
    {
        return Checksums.fold(Checksums.sum(buffer, offset, length, 0)) == 0xFFFF;
    }

    public IcmpFlyweight updateChecksum(final int length)
    {
        checksum(0);
        checksum(Checksums.finish(Checksums.sum(buffer, offset, length, 0)));
        return this;
    }
}
