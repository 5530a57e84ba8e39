package dev.wharf.io;

/**
 * A TAP device attached with one queue per worker (IFF_MULTI_QUEUE). When wharf created the device it
 * is not persistent: it disappears when the port closes. The device may be moved into another network
 * namespace after it is opened and keeps working, since the queues hold it by descriptor. Opened with
 * {@link Tap#open}; the queues are used by their workers, the rest by the control plane.
 */
public final class TapPort extends KernelPort
{
    public static final String KIND = "tap";

    private final boolean created;

    TapPort(final String name, final int interfaceIndex, final boolean created, final boolean offloads, final TapQueue[] queues, final int mtu)
    {
        super(name, interfaceIndex, offloads, queues, mtu);
        this.created = created;
    }

    @Override
    public String kind()
    {
        return KIND;
    }

    /** True when wharf created the device (and its closing removes it), false when it existed before. */
    public boolean created()
    {
        return created;
    }
}
