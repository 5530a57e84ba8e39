package dev.wharf.vxlan.tunnel;

import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.underlay.UnderlayPort;

/**
 * One overlay network's tunnel as the workers see it: its port, VNI, encapsulation, the VTEPs a
 * flooded frame is replicated to (head-end replication) and the underlay it sends through. Immutable; replaced whole on every change.
 */
public final class Tunnel
{
    public final int network;
    public final int portId;
    public final int vni;
    public final Encapsulation encapsulation;
    /** IPv4 addresses of the remote VTEPs broadcast and unknown unicast go to. */
    public final int[] floodVteps;
    /** The underlay the tunnel sends through, or null while none is set (frames to it are dropped). */
    public final UnderlayPort underlay;
    /** The MSS TCP SYNs crossing the tunnel are clamped to, or 0 for no clamping. */
    public final int clampMss;

    public Tunnel(
        final int network, final int portId, final int vni, final Encapsulation encapsulation, final int[] floodVteps,
        final UnderlayPort underlay, final int clampMss)
    {
        this.clampMss = clampMss;
        this.underlay = underlay;
        this.network = network;
        this.portId = portId;
        this.vni = vni;
        this.encapsulation = encapsulation;
        this.floodVteps = floodVteps.clone();
    }
}
