package dev.wharf.vxlan.tunnel;

/** Lets the overlay's control side hand a tunnel port its configuration without making the setter public. */
public final class TunnelPorts
{
    private TunnelPorts()
    {
    }

    public static void configure(final TunnelPort port, final Tunnel tunnel)
    {
        port.tunnel(tunnel);
    }
}
