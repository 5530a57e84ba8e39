package dev.wharf.dataplane.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** MAC addresses as the low 48 bits of a {@code long}; no objects on the fast path. */
public final class MacAddress
{
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    public static final int LENGTH = 6;

    private MacAddress()
    {
    }

    public static long read(final DirectBuffer buffer, final int offset)
    {
        return ((long)(buffer.getShort(offset, NETWORK) & 0xFFFF) << 32) | (buffer.getInt(offset + 2, NETWORK) & 0xFFFF_FFFFL);
    }

    /**
     * Reads the MAC at {@code address} straight from memory: one 8-byte load, no buffer wrap. The two bytes
     * after the MAC are read too, so the caller must know 8 bytes are there (any Ethernet header's MACs).
     */
    public static long readAt(final long address)
    {
        return Long.reverseBytes(UnsafeApi.getLong(address)) >>> 16;
    }

    public static void write(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), NETWORK);
        buffer.putInt(offset + 2, (int)mac, NETWORK);
    }

    /** The I/G bit: set for multicast and broadcast. */
    public static boolean isMulticast(final long mac)
    {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    public static boolean isBroadcast(final long mac)
    {
        return mac == BROADCAST;
    }

    public static String toString(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int b = (int)(mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (shift > 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with '-'). */
    public static long parse(final String text)
    {
        final String[] parts = text.trim().split("[:-]", -1); // -1: a trailing separator leaves an empty part, not none
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected aa:bb:cc:dd:ee:ff)");
        }
        long mac = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 2 || !isHexDigits(part))
            {
                throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected aa:bb:cc:dd:ee:ff)");
            }
            try
            {
                mac = (mac << 8) | Integer.parseInt(part, 16);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected aa:bb:cc:dd:ee:ff)");
            }
        }
        return mac;
    }

    /** Integer.parseInt alone would also take a sign and non-ASCII digits. */
    private static boolean isHexDigits(final String part)
    {
        for (int i = 0; i < part.length(); i++)
        {
            final char c = part.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            {
                return false;
            }
        }
        return true;
    }
}
