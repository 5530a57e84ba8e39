package dev.wharf.io;

import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;

/**
 * An existing interface (a veth's host end, an uplink) attached through AF_PACKET: one socket per
 * worker, with TPACKET_V2 or V3 rings, joined in a PACKET_FANOUT_HASH group so the kernel spreads
 * flows over the workers. Opened with {@link AfPacket#open}; the queues are used by their workers, the
 * rest by the control plane.
 */
public final class AfPacketPort implements Port
{
    public static final String KIND = "af_packet";

    private final String name;
    private final int interfaceIndex;
    private final boolean offloads;
    private final TpacketVersion ringVersion;
    private final AfPacketQueue[] queues;
    private final int fanoutGroup;
    private final boolean fanoutIgnoresOutgoing;
    private volatile int lastMtu;

    AfPacketPort(
        final String name, final int interfaceIndex, final boolean offloads, final TpacketVersion ringVersion, final AfPacketQueue[] queues,
        final int fanoutGroup, final boolean fanoutIgnoresOutgoing, final int mtu)
    {
        this.name = name;
        this.interfaceIndex = interfaceIndex;
        this.offloads = offloads;
        this.ringVersion = ringVersion;
        this.queues = queues;
        this.fanoutGroup = fanoutGroup;
        this.fanoutIgnoresOutgoing = fanoutIgnoresOutgoing;
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

    /** Asks the kernel each time, so an MTU changed with {@code ip link} is seen; the last answer if the link is gone. */
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

    public int interfaceIndex()
    {
        return interfaceIndex;
    }

    /** The kernel-assigned PACKET_FANOUT group id, or -1 with a single worker. */
    public int fanoutGroup()
    {
        return fanoutGroup;
    }

    /**
     * Whether the kernel keeps the frames this port sends out of its fanout group; when it cannot
     * (older kernels), the rings skip them, at the cost of the kernel copying each into a ring first.
     */
    public boolean fanoutIgnoresOutgoing()
    {
        return fanoutIgnoresOutgoing;
    }

    public TpacketVersion ringVersion()
    {
        return ringVersion;
    }

    public int workers()
    {
        return queues.length;
    }

    @Override
    public void close()
    {
        for (final AfPacketQueue queue : queues)
        {
            queue.close();
        }
    }

    @Override
    public String toString()
    {
        return "af_packet:" + name;
    }
}
