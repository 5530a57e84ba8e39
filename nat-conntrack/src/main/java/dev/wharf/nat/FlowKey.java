package dev.wharf.nat;

/**
 * A connection's tuple in one direction, packed into two {@code long}s so tables hold it in primitive
 * arrays: {@code addresses = source << 32 | destination} and {@code ports = protocol << 48 |
 * zone << 32 | sourcePort << 16 | destinationPort}. For ICMP echo the identifier stands in both ports.
 * The zone keeps networks with overlapping addresses apart.
 */
public final class FlowKey
{
    private FlowKey()
    {
    }

    public static long addresses(final int source, final int destination)
    {
        return ((long)source << 32) | (destination & 0xFFFF_FFFFL);
    }

    public static long ports(final int protocol, final int zone, final int sourcePort, final int destinationPort)
    {
        return ((long)(protocol & 0xFF) << 48) | ((long)(zone & 0xFFFF) << 32) | ((long)(sourcePort & 0xFFFF) << 16) |
            (destinationPort & 0xFFFF);
    }

    public static int source(final long addresses)
    {
        return (int)(addresses >>> 32);
    }

    public static int destination(final long addresses)
    {
        return (int)addresses;
    }

    public static int protocol(final long ports)
    {
        return (int)(ports >>> 48) & 0xFF;
    }

    public static int zone(final long ports)
    {
        return (int)(ports >>> 32) & 0xFFFF;
    }

    public static int sourcePort(final long ports)
    {
        return (int)(ports >>> 16) & 0xFFFF;
    }

    public static int destinationPort(final long ports)
    {
        return (int)ports & 0xFFFF;
    }

    /** The same connection seen from the other end: addresses and ports swapped. */
    public static long reverseAddresses(final long addresses)
    {
        return (addresses << 32) | (addresses >>> 32);
    }

    public static long reversePorts(final long ports)
    {
        return (ports & 0xFFFF_FFFF_0000_0000L) | ((ports & 0xFFFF) << 16) | ((ports >>> 16) & 0xFFFF);
    }

    /** A well-mixed hash of a tuple (both halves through a 64-bit multiply-xorshift). */
    public static int hash(final long addresses, final long ports)
    {
        // Agrona's Hashing mixes one word; a tuple is two, each multiplied once before the shared finish
        long h = addresses * 0x9E37_79B9_7F4A_7C15L ^ ports * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= h >>> 31;
        h *= 0x94D0_49BB_1331_11EBL;
        h ^= h >>> 29;
        return (int)h;
    }
}
