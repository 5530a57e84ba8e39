package dev.wharf.vxlan.protocol;

import org.agrona.UnsafeApi;

/**
 * The Geneve header (RFC 8926, section 3.4) in front of the inner frame in a UDP datagram, read and
 * written at an address:
 * <pre>
 * |Ver(2)|Opt Len(6)|O|C|Rsvd(6)|  Protocol Type (16)  |   VNI (24)   | Reserved (8) |  options...
 * </pre>
 * Opt Len counts 4-byte words of options. Each option is a class (16), a type (8, its top bit the
 * critical bit), 3 reserved bits and a length (5, in 4-byte words) and its data. We send no options
 * and know none: on receive they are walked and skipped, and one with the critical bit set drops the
 * packet, as section 3.5.1 requires of a tunnel endpoint that does not understand it.
 */
public final class GeneveHeader
{
    public static final int BASE_LENGTH = 8;
    public static final int VERSION = 0;
    /** Transparent Ethernet bridging: the payload is an Ethernet frame. */
    public static final int PROTOCOL_ETHERNET = 0x6558;
    private static final int OPTION_HEADER_LENGTH = 4;
    private static final int CRITICAL_TYPE_BIT = 0x80;

    /** {@link #parse} results below zero: why the header is refused. */
    public static final int TRUNCATED = -1;
    public static final int BAD_VERSION = -2;
    public static final int BAD_OPTION_LENGTH = -3;
    public static final int CRITICAL_OPTION = -4;
    public static final int NOT_ETHERNET = -5;

    private GeneveHeader()
    {
    }

    /** Writes a header for {@code vni} with no options at {@code address}. */
    public static void write(final long address, final int vni)
    {
        UnsafeApi.putInt(address, Integer.reverseBytes(PROTOCOL_ETHERNET)); // version 0, no options, O and C clear
        UnsafeApi.putInt(address + 4, Integer.reverseBytes(vni << 8));
    }

    /**
     * Checks the header at {@code address} within {@code length} bytes, walking its options.
     *
     * @return the header's length with its options (where the inner frame starts), or a negative reason.
     */
    public static int parse(final long address, final int length)
    {
        if (length < BASE_LENGTH)
        {
            return TRUNCATED;
        }
        final int first = UnsafeApi.getByte(address) & 0xFF;
        if ((first >>> 6) != VERSION)
        {
            return BAD_VERSION;
        }
        final int headerLength = BASE_LENGTH + (first & 0x3F) * 4;
        if (headerLength > length)
        {
            return TRUNCATED;
        }
        if ((Short.reverseBytes(UnsafeApi.getShort(address + 2)) & 0xFFFF) != PROTOCOL_ETHERNET)
        {
            return NOT_ETHERNET;
        }
        int offset = BASE_LENGTH;
        while (offset < headerLength)
        {
            if (offset + OPTION_HEADER_LENGTH > headerLength)
            {
                return BAD_OPTION_LENGTH;
            }
            final int type = UnsafeApi.getByte(address + offset + 2) & 0xFF;
            final int optionLength = OPTION_HEADER_LENGTH + (UnsafeApi.getByte(address + offset + 3) & 0x1F) * 4;
            if (offset + optionLength > headerLength)
            {
                return BAD_OPTION_LENGTH;
            }
            if ((type & CRITICAL_TYPE_BIT) != 0)
            {
                return CRITICAL_OPTION;
            }
            offset += optionLength;
        }
        return headerLength;
    }

    /** The VNI of a header {@link #parse} accepted. */
    public static int vniOf(final long address)
    {
        return Integer.reverseBytes(UnsafeApi.getInt(address + 4)) >>> 8;
    }
}
