package dev.wharf.dataplane.protocol;

import org.agrona.DirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624, equation 3:
 * HC' = ~(~HC + ~m + m')). Sums are carried in a {@code long} and folded once at the end.
 */
public final class Checksums
{
    private Checksums()
    {
    }

    /** Adds {@code length} bytes at {@code offset} as big-endian 16-bit words to {@code sum}. */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        long sum = initial;
        int i = 0;
        // 8 bytes a load; both 32-bit halves are added, so 64 KiB of data cannot overflow the long
        final int wordsOf8 = length & ~7;
        for (; i < wordsOf8; i += 8)
        {
            final long v = buffer.getLong(offset + i, NETWORK);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        if (i + 4 <= length)
        {
            sum += buffer.getInt(offset + i, NETWORK) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i + 2 <= length)
        {
            sum += buffer.getShort(offset + i, NETWORK) & 0xFFFF;
            i += 2;
        }
        if (i < length)
        {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * The sum of the 20 bytes at {@code offset} (an IPv4 header without options) as 16-bit words, for
     * {@link #fold} and comparisons with 0xFFFF only: it adds them in the machine's byte order, so on a
     * little-endian machine the folded result is the byte-swapped sum (one's complement addition
     * commutes with swapping the bytes of every word, RFC 1071 2(B)), which is still 0xFFFF when the
     * header's checksum is right. Three loads, no byte reversal, no loop.
     */
    public static long sumHeader20NativeOrder(final DirectBuffer buffer, final int offset)
    {
        final long a = buffer.getLong(offset);
        final long b = buffer.getLong(offset + 8);
        final long c = buffer.getInt(offset + 16) & 0xFFFF_FFFFL;
        return (a >>> 32) + (a & 0xFFFF_FFFFL) + (b >>> 32) + (b & 0xFFFF_FFFFL) + c;
    }

    /** Folds a running sum to 16 bits (not complemented). Branch-free: four end-around carries cover any long. */
    public static int fold(final long sum)
    {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32); // < 2^33
        s = (s & 0xFFFF) + (s >>> 16);                  // < 2^17 + 2^16
        s = (s & 0xFFFF) + (s >>> 16);                  // <= 0xFFFF + 2
        s = (s & 0xFFFF) + (s >>> 16);                  // <= 0xFFFF
        return (int)s;
    }

    /** The checksum field value for a running sum: the folded sum, complemented. */
    public static int finish(final long sum)
    {
        return ~fold(sum) & 0xFFFF;
    }

    /** RFC 1624: the new checksum after a 16-bit field changed from {@code oldValue} to {@code newValue}. */
    public static int update16(final int checksum, final int oldValue, final int newValue)
    {
        return apply(checksum, change16(oldValue, newValue));
    }

    /** RFC 1624 for a 32-bit field (an IPv4 address): two 16-bit updates in one fold. */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        return apply(checksum, change32(oldValue, newValue));
    }

    /**
     * RFC 1624's sum for a 32-bit field (an IPv4 address) changing from {@code oldValue} to {@code newValue}:
     * {@code ~m + m'} over its two 16-bit halves, for {@link #apply}. One change can serve two checksums
     * (the IPv4 header's and the pseudo-header's) and add to another field's before one fold.
     */
    public static int change32(final int oldValue, final int newValue)
    {
        return (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF) + ((newValue >>> 16) & 0xFFFF) + (newValue & 0xFFFF);
    }

    /** RFC 1624's sum for a 16-bit field changing from {@code oldValue} to {@code newValue}, for {@link #apply}. */
    public static int change16(final int oldValue, final int newValue)
    {
        return (~oldValue & 0xFFFF) + (newValue & 0xFFFF);
    }

    /** The new checksum after changes summed by {@link #change32} and {@link #change16} (at most a dozen words). */
    public static int apply(final int checksum, final int change)
    {
        return ~foldSmall((~checksum & 0xFFFF) + change) & 0xFFFF;
    }

    /**
     * {@link #fold} for a sum of at most sixteen 16-bit words (below 2^20), as the incremental updates
     * make: two end-around carries are enough (the first leaves at most 0xFFFF + 0xF).
     */
    private static int foldSmall(final int sum)
    {
        final int s = (sum & 0xFFFF) + (sum >>> 16);
        return (s & 0xFFFF) + (s >>> 16);
    }
}
