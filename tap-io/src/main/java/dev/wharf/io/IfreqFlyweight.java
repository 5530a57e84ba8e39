package dev.wharf.io;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} (include/uapi/linux/if.h): an interface name and one union member, for the
 * netdevice ioctls (SIOCGIFMTU, SIOCGIFFLAGS, ...) and TUNSETIFF. Setup path only.
 */
public final class IfreqFlyweight
{
    public static final int NAME_OFFSET = 0;
    public static final int NAME_CAPACITY = 16;
    /** ifr_flags (short), ifr_mtu and ifr_ifindex (int) share the union at 16. */
    public static final int FLAGS_OFFSET = 16;
    public static final int MTU_OFFSET = 16;
    public static final int IFINDEX_OFFSET = 16;
    public static final int LENGTH = 40;

    private MutableDirectBuffer buffer;
    private int offset;

    public IfreqFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    /** Interface names are at most 15 bytes plus the terminating NUL (IFNAMSIZ). */
    public static boolean isValidName(final String name)
    {
        return name != null && !name.isEmpty() && name.getBytes(StandardCharsets.US_ASCII).length < NAME_CAPACITY &&
            name.indexOf('/') < 0 && name.indexOf(' ') < 0;
    }

    public IfreqFlyweight name(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        buffer.setMemory(offset + NAME_OFFSET, NAME_CAPACITY, (byte)0);
        buffer.putBytes(offset + NAME_OFFSET, bytes, 0, Math.min(bytes.length, NAME_CAPACITY - 1));
        return this;
    }

    public String name()
    {
        int length = 0;
        while (length < NAME_CAPACITY && buffer.getByte(offset + NAME_OFFSET + length) != 0)
        {
            length++;
        }
        return buffer.getStringWithoutLengthAscii(offset + NAME_OFFSET, length);
    }

    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET, ByteOrder.nativeOrder()) & 0xFFFF;
    }

    public IfreqFlyweight flags(final int flags)
    {
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, ByteOrder.nativeOrder());
        return this;
    }

    public int mtu()
    {
        return buffer.getInt(offset + MTU_OFFSET, ByteOrder.nativeOrder());
    }

    public int interfaceIndex()
    {
        return buffer.getInt(offset + IFINDEX_OFFSET, ByteOrder.nativeOrder());
    }
}
