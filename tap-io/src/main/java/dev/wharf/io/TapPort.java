package dev.wharf.io;

import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;

/**
 * A TAP device attached with one queue per worker (IFF_MULTI_QUEUE). When wharf created the device it
 * is not persistent: it disappears when the port closes. The device may be moved into another network
 * namespace after it is opened and keeps working, since the queues hold it by descriptor. Opened with
 * {@link Tap#open}; the queues are used by their workers, the rest by the control plane.
 */
public final class TapPort implements Port
{
    public static final String KIND = "tap";

    private final String name;
    private final int interfaceIndex;
    private final boolean created;
    private final boolean offloads;
    private final TapQueue[] queues;
    private volatile int lastMtu;

    TapPort(final String name, final int interfaceIndex, final boolean created, final boolean offloads, final TapQueue[] queues, final int mtu)
    {
        this.name = name;
        this.interfaceIndex = interfaceIndex;
        this.created = created;
        this.offloads = offloads;
        this.queues = queues;
        this.lastMtu = mtu;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    /** Asks the kernel while the device is in this namespace; the last answer once it moved away. */
    @Override
    public int mtu()
    {
        final int mtu = NetDevice.mtu(name);
        if (mtu > 0 && NetDevice.index(name) == interfaceIndex)
        {
            lastMtu = mtu;
        }
        return lastMtu;
    }

    @Override
    public boolean offloads()
    {
        return offloads;
    }

    @Override
    public PortQueue queue(final int worker)
    {
        return queues[worker];
    }

    /** True when wharf created the device (and its closing removes it), false when it existed before. */
    public boolean created()
    {
        return created;
    }

    public int workers()
    {
        return queues.length;
    }

    @Override
    public void close()
    {
        for (final TapQueue queue : queues)
        {
            queue.close();
        }
    }

    @Override
    public String toString()
    {
        return "tap:" + name;
    }
}
