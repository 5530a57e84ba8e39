package dev.wharf.dataplane.protocol;

/** IPv4 addresses and prefixes as {@code int}s in host order of their dotted form (10.0.0.1 = 0x0A000001). */
public final class Ipv4Address
{
    private Ipv4Address()
    {
    }

    public static int parse(final String text)
    {
        final String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int address = 0;
        for (final String part : parts)
        {
            final int octet;
            try
            {
                octet = Integer.parseInt(part);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3 || !isDecimalDigits(part))
            {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    /** Integer.parseInt alone would also take a sign ("+1", "-0") and non-ASCII digits. */
    private static boolean isDecimalDigits(final String part)
    {
        for (int i = 0; i < part.length(); i++)
        {
            final char c = part.charAt(i);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    public static String toString(final int address)
    {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    public static int mask(final int prefixLength)
    {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public static boolean contains(final int network, final int prefixLength, final int address)
    {
        final int mask = mask(prefixLength);
        return (network & mask) == (address & mask);
    }
}
