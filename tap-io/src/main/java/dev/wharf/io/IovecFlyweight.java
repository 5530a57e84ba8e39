package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/** {@code struct iovec} (readv(2)/writev(2)): a base address and a length, 16 bytes on x86_64. */
public final class IovecFlyweight
{
    public static final int BASE_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int LENGTH = 16;

    private IovecFlyweight()
    {
    }

    public static void set(final UnsafeBuffer buffer, final int index, final long base, final long length)
    {
        final int offset = index * LENGTH;
        buffer.putLong(offset + BASE_OFFSET, base, ByteOrder.nativeOrder());
        buffer.putLong(offset + LENGTH_OFFSET, length, ByteOrder.nativeOrder());
    }
}
