package dev.wharf.io;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_in} (include/uapi/linux/in.h): an IPv4 address and port, as sendto() takes
 * and recvfrom() fills them for an {@link IcmpEchoSocket}. The family is in host order, the port and
 * the address in network order.
 */
public final class SockaddrInFlyweight
{
    public static final int FAMILY_OFFSET = 0;
    public static final int PORT_OFFSET = 2;
    public static final int ADDRESS_OFFSET = 4;
    public static final int LENGTH = 16;

    private MutableDirectBuffer buffer;
    private int offset;

    /** Wraps and zeroes a sockaddr_in at {@code offset}, family AF_INET, to be filled in. */
    public SockaddrInFlyweight wrapForWrite(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, LENGTH, (byte)0);
        buffer.putShort(offset + FAMILY_OFFSET, (short)Syscalls.AF_INET, ByteOrder.nativeOrder());
        return this;
    }

    /** The address as an {@code int} in host order of its dotted form (10.0.0.1 = 0x0A000001). */
    public SockaddrInFlyweight address(final int address)
    {
        buffer.putInt(offset + ADDRESS_OFFSET, address, ByteOrder.BIG_ENDIAN);
        return this;
    }

    public static int address(final MutableDirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ADDRESS_OFFSET, ByteOrder.BIG_ENDIAN);
    }
}
