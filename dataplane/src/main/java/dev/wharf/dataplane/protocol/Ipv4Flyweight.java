package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** IPv4 header (RFC 791). */
public final class Ipv4Flyweight
{
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    /** Don't Fragment, in the flags/fragment-offset word. */
    public static final int DONT_FRAGMENT = 0x4000;
    /** More Fragments, in the flags/fragment-offset word. */
    public static final int MORE_FRAGMENTS = 0x2000;
    /** The fragment offset (in 8-byte units), in the flags/fragment-offset word. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /**
     * Rewrites the address at {@code addressOffset} (source or destination) of the IPv4 header at
     * {@code l3}, with an RFC 1624 update of the header checksum; nothing past the header is touched.
     *
     * @return the change applied to the header checksum ({@link Checksums#change32}), 0 when the address
     * stayed: for another checksum that covers the address (TCP's and UDP's pseudo-header), {@link Checksums#apply}.
     */
    public static int rewriteAddress(final MutableDirectBuffer buffer, final int l3, final int addressOffset, final int newAddress)
    {
        final int oldAddress = buffer.getInt(l3 + addressOffset, NETWORK);
        if (oldAddress == newAddress)
        {
            return 0;
        }
        final int change = Checksums.change32(oldAddress, newAddress);
        buffer.putInt(l3 + addressOffset, newAddress, NETWORK);
        final int checksum = buffer.getShort(l3 + CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
        buffer.putShort(l3 + CHECKSUM_OFFSET, (short)Checksums.apply(checksum, change), NETWORK);
        return change;
    }

    private MutableDirectBuffer buffer;
    private int offset;

    public Ipv4Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int version()
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) >>> 4) & 0xF;
    }

    /** Header length in bytes (IHL * 4). */
    public int headerLength()
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xF) << 2;
    }

    public int totalLength()
    {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, NETWORK) & 0xFFFF;
    }

    public Ipv4Flyweight totalLength(final int length)
    {
        buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short)length, NETWORK);
        return this;
    }

    public int identification()
    {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, NETWORK) & 0xFFFF;
    }

    public Ipv4Flyweight identification(final int id)
    {
        buffer.putShort(offset + IDENTIFICATION_OFFSET, (short)id, NETWORK);
        return this;
    }

    /** True for every fragment but a whole datagram (MF set or a non-zero offset). */
    public boolean isFragment()
    {
        return (buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, NETWORK) & (MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** True when DF is set: the sender does path MTU discovery (RFC 1191) and wants to hear about a too-small link. */
    public boolean dontFragment()
    {
        return (buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, NETWORK) & DONT_FRAGMENT) != 0;
    }

    /** The fragment offset in 8-byte units: 0 for a whole datagram and for a first fragment. */
    public int fragmentOffset()
    {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, NETWORK) & FRAGMENT_OFFSET_MASK;
    }

    /** Writes the whole flags/fragment-offset word. */
    public Ipv4Flyweight flagsAndFragmentOffset(final int value)
    {
        buffer.putShort(offset + FLAGS_FRAGMENT_OFFSET, (short)value, NETWORK);
        return this;
    }

    /** Writes version 4 and a header length in bytes (a multiple of 4). */
    public Ipv4Flyweight versionAndHeaderLength(final int headerLength)
    {
        buffer.putByte(offset + VERSION_IHL_OFFSET, (byte)(0x40 | (headerLength >>> 2)));
        return this;
    }

    public Ipv4Flyweight tos(final int tos)
    {
        buffer.putByte(offset + TOS_OFFSET, (byte)tos);
        return this;
    }

    public Ipv4Flyweight protocol(final int protocol)
    {
        buffer.putByte(offset + PROTOCOL_OFFSET, (byte)protocol);
        return this;
    }

    /** The TTL of the header at {@code headerAddress}: a static reader for the hot path, no buffer to wrap. */
    public static int ttlAt(final long headerAddress)
    {
        return UnsafeApi.getByte(headerAddress + TTL_OFFSET) & 0xFF;
    }

    /** The source address of the header at {@code headerAddress}. */
    public static int sourceAt(final long headerAddress)
    {
        return Integer.reverseBytes(UnsafeApi.getInt(headerAddress + SOURCE_OFFSET));
    }

    /** The destination address of the header at {@code headerAddress}. */
    public static int destinationAt(final long headerAddress)
    {
        return Integer.reverseBytes(UnsafeApi.getInt(headerAddress + DESTINATION_OFFSET));
    }

    /** The total length of the header at {@code headerAddress}. */
    public static int totalLengthAt(final long headerAddress)
    {
        return Short.reverseBytes(UnsafeApi.getShort(headerAddress + TOTAL_LENGTH_OFFSET)) & 0xFFFF;
    }

    /** Whether the header at {@code headerAddress} has DF set. */
    public static boolean dontFragmentAt(final long headerAddress)
    {
        return (Short.reverseBytes(UnsafeApi.getShort(headerAddress + FLAGS_FRAGMENT_OFFSET)) & DONT_FRAGMENT) != 0;
    }

    public int ttl()
    {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    public Ipv4Flyweight ttl(final int ttl)
    {
        buffer.putByte(offset + TTL_OFFSET, (byte)ttl);
        return this;
    }

    public int protocol()
    {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, NETWORK) & 0xFFFF;
    }

    public Ipv4Flyweight checksum(final int checksum)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, NETWORK);
        return this;
    }

    public int source()
    {
        return buffer.getInt(offset + SOURCE_OFFSET, NETWORK);
    }

    public Ipv4Flyweight source(final int address)
    {
        buffer.putInt(offset + SOURCE_OFFSET, address, NETWORK);
        return this;
    }

    public int destination()
    {
        return buffer.getInt(offset + DESTINATION_OFFSET, NETWORK);
    }

    public Ipv4Flyweight destination(final int address)
    {
        buffer.putInt(offset + DESTINATION_OFFSET, address, NETWORK);
        return this;
    }

    /** True when the header checksum verifies (sums to 0xFFFF). */
    public boolean isChecksumValid()
    {
        final int headerLength = headerLength();
        if (headerLength == MIN_HEADER_LENGTH)
        {
            return Checksums.fold(Checksums.sumHeader20NativeOrder(buffer, offset)) == 0xFFFF;
        }
        return Checksums.fold(Checksums.sum(buffer, offset, headerLength, 0)) == 0xFFFF;
    }

    /** Recomputes the header checksum from scratch. */
    public Ipv4Flyweight updateChecksum()
    {
        checksum(0);
        checksum(Checksums.finish(Checksums.sum(buffer, offset, headerLength(), 0)));
        return this;
    }

    /** Partial sum of the TCP/UDP pseudo-header (RFC 793 section 3.1) for an L4 length. */
    public long pseudoHeaderSum(final int l4Length)
    {
        final int src = source();
        final int dst = destination();
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol() + l4Length;
    }
}
