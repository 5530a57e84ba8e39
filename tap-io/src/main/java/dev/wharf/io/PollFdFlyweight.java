package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/** {@code struct pollfd} (poll(2)): a descriptor, the events asked for and the events seen. */
public final class PollFdFlyweight
{
    public static final int FD_OFFSET = 0;
    public static final int EVENTS_OFFSET = 4;
    public static final int REVENTS_OFFSET = 6;
    public static final int LENGTH = 8;

    private PollFdFlyweight()
    {
    }

    public static void set(final UnsafeBuffer buffer, final int index, final int fd, final short events)
    {
        final int offset = index * LENGTH;
        buffer.putInt(offset + FD_OFFSET, fd, ByteOrder.nativeOrder());
        buffer.putShort(offset + EVENTS_OFFSET, events, ByteOrder.nativeOrder());
        buffer.putShort(offset + REVENTS_OFFSET, (short)0, ByteOrder.nativeOrder());
    }
}
