package dev.wharf.io;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Off-heap memory for kernel structs and scratch buffers, allocated on the setup path and freed
 * explicitly. Plain direct buffers (malloc-aligned, 16 bytes on x86_64), since Agrona cannot free
 * the aligned slices {@code BufferUtil.allocateDirectAligned} returns.
 */
final class NativeMemory
{
    private NativeMemory()
    {
    }

    static UnsafeBuffer allocate(final int bytes)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes));
    }

    static void free(final UnsafeBuffer buffer)
    {
        final ByteBuffer memory = buffer.byteBuffer();
        if (memory != null)
        {
            buffer.wrap(0, 0);
            BufferUtil.free(memory);
        }
    }
}
