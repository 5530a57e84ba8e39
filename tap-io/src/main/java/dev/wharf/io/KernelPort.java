package dev.wharf.io;

import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;

/**
 * What an AF_PACKET port and a TAP port share: a kernel network interface known by name and index, one
 * {@link KernelQueue} (one descriptor) per worker, whether frames cross with a virtio-net header, and an
 * MTU read from the kernel. The queues are used by their workers; the rest by the control plane, which
 * closes the port only once no worker sees it any more (the dataplane retires it).
 */
abstract class KernelPort implements Port
{
    private final String name;
    private final int interfaceIndex;
    private final boolean offloads;
    private final KernelQueue[] queues;
    private volatile int lastMtu;

    KernelPort(final String name, final int interfaceIndex, final boolean offloads, final KernelQueue[] queues, final int mtu)
    {
        this.name = name;
        this.interfaceIndex = interfaceIndex;
        this.offloads = offloads;
        this.queues = queues;
        this.lastMtu = mtu;
    }

    @Override
    public final String name()
    {
        return name;
    }

    /**
     * Asks the kernel each time while an interface of this name and index is here, so an MTU changed with
     * {@code ip link} is seen; the last answer once the link is gone or moved to another namespace.
     */
    @Override
    public final int mtu()
    {
        final int mtu = NetDevice.mtu(name);
        if (mtu > 0 && NetDevice.index(name) == interfaceIndex)
        {
            lastMtu = mtu;
        }
        return lastMtu;
    }

    @Override
    public final boolean offloads()
    {
        return offloads;
    }

    @Override
    public final PortQueue queue(final int worker)
    {
        return queues[worker];
    }

    public final int interfaceIndex()
    {
        return interfaceIndex;
    }

    public final int workers()
    {
        return queues.length;
    }

    /** True once {@link #close()} released every queue. */
    final boolean isClosed()
    {
        for (final KernelQueue queue : queues)
        {
            if (!queue.isClosed())
            {
                return false;
            }
        }
        return true;
    }

    /** Closes every queue: its descriptor and the memory that goes with it. Control plane only, after the workers let go. */
    @Override
    public final void close()
    {
        for (final KernelQueue queue : queues)
        {
            queue.close();
        }
    }

    @Override
    public final String toString()
    {
        return kind() + ":" + name;
    }
}
