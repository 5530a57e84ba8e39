package dev.wharf.io;

import dev.wharf.dataplane.port.PortQueue;

/**
 * One worker's descriptor on a {@link KernelPort} (an AF_PACKET socket, a TAP queue): what both kinds of
 * queue share is the descriptor the idle strategy polls and a close that runs once, releasing the queue's
 * memory (rings, buffers) before the descriptor.
 *
 * <p>Used only by the worker that owns it; created and closed by the control plane, closed only after no
 * worker sees the port any more.
 */
abstract class KernelQueue implements PortQueue
{
    final LibC libc = Syscalls.libc();
    final int fd;
    private volatile boolean closed;

    KernelQueue(final int fd)
    {
        this.fd = fd;
    }

    @Override
    public final int pollDescriptor()
    {
        return fd;
    }

    /** Frees what the queue holds besides its descriptor; called once, by {@link #close()}, before the descriptor closes. */
    abstract void releaseMemory();

    final boolean isClosed()
    {
        return closed;
    }

    final void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        releaseMemory();
        libc.close(fd);
    }
}
