package dev.wharf.io;

/**
 * An existing interface (a veth's host end, an uplink) attached through AF_PACKET: one socket per
 * worker, with TPACKET_V2 or V3 rings, joined in a PACKET_FANOUT_HASH group so the kernel spreads
 * flows over the workers. Opened with {@link AfPacket#open}; the queues are used by their workers, the
 * rest by the control plane.
 */
public final class AfPacketPort extends KernelPort
{
    public static final String KIND = "af_packet";

    private final TpacketVersion ringVersion;
    private final int fanoutGroup;
    private final boolean fanoutIgnoresOutgoing;

    AfPacketPort(
        final String name, final int interfaceIndex, final boolean offloads, final TpacketVersion ringVersion, final AfPacketQueue[] queues,
        final int fanoutGroup, final boolean fanoutIgnoresOutgoing, final int mtu)
    {
        super(name, interfaceIndex, offloads, queues, mtu);
        this.ringVersion = ringVersion;
        this.fanoutGroup = fanoutGroup;
        this.fanoutIgnoresOutgoing = fanoutIgnoresOutgoing;
    }

    @Override
    public String kind()
    {
        return KIND;
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
}
