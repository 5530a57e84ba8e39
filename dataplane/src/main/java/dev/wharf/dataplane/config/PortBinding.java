package dev.wharf.dataplane.config;

import dev.wharf.dataplane.port.Port;

/**
 * A port attached to a network, with its 802.1Q role. An access port carries one VLAN untagged
 * ({@link #accessVlan}, 0 for the network's untagged VLAN); a trunk carries the VLANs of
 * {@link #allowedVlans} tagged and VLAN 0 untagged. Immutable.
 */
public final class PortBinding
{
    /** {@link #network} of a device port, which belongs to no network (see Dataplane#attachDevicePort). */
    public static final int NO_NETWORK = -1;

    public final int id;
    public final Port port;
    public final int network;
    public final boolean trunk;
    public final int accessVlan;
    private final long[] allowedVlans;
    public final int mtu;
    /** Most MACs this port may have learned at once (MAC-flood protection). */
    public final int macLimit;
    /**
     * Whether l2-learn records the source MACs seen on this port; a tunnel port may forward only to the
     * static endpoints it was given (the kernel vxlan device's {@code nolearning}).
     */
    public final boolean learns;
    /**
     * Port security (OVS's port_security, VPP's l2 input MAC/IP binding): when set, frames from this port pass
     * port-security, which lets through only those sent from {@link #securedMac} and {@link #securedIp}.
     */
    public final boolean secured;
    /** The one source MAC a secured port may send from. */
    public final long securedMac;
    /** The one IPv4 source (and ARP sender) address a secured port may use. */
    public final int securedIp;

    public PortBinding(
        final int id, final Port port, final int network, final boolean trunk, final int accessVlan,
        final int[] trunkVlans, final int mtu, final int macLimit)
    {
        this.id = id;
        this.port = port;
        this.network = network;
        this.trunk = trunk;
        this.accessVlan = trunk ? 0 : accessVlan;
        this.allowedVlans = new long[64];
        if (trunk)
        {
            for (final int vid : trunkVlans)
            {
                allowedVlans[vid >>> 6] |= 1L << (vid & 63);
            }
        }
        this.mtu = mtu;
        this.macLimit = macLimit;
        this.learns = true;
        this.secured = false;
        this.securedMac = 0;
        this.securedIp = 0;
    }

    private PortBinding(
        final PortBinding other, final boolean learns, final boolean secured, final long securedMac, final int securedIp)
    {
        this.id = other.id;
        this.port = other.port;
        this.network = other.network;
        this.trunk = other.trunk;
        this.accessVlan = other.accessVlan;
        this.allowedVlans = other.allowedVlans;
        this.mtu = other.mtu;
        this.macLimit = other.macLimit;
        this.learns = learns;
        this.secured = secured;
        this.securedMac = securedMac;
        this.securedIp = securedIp;
    }

    /** This binding with learning on or off. */
    public PortBinding withLearning(final boolean learns)
    {
        return new PortBinding(this, learns, secured, securedMac, securedIp);
    }

    /** This binding with port security bound to {@code mac} and {@code ip}. */
    public PortBinding withSecurity(final long mac, final int ip)
    {
        return new PortBinding(this, learns, true, mac, ip);
    }

    /** This binding without port security. */
    public PortBinding withoutSecurity()
    {
        return new PortBinding(this, learns, false, 0, 0);
    }

    /** True when frames of VLAN {@code vid} may enter and leave this port. */
    public boolean carries(final int vid)
    {
        if (trunk)
        {
            return vid == 0 || (allowedVlans[vid >>> 6] & (1L << (vid & 63))) != 0;
        }
        return vid == accessVlan;
    }

    /** The tag a frame of VLAN {@code vid} leaves this port with: none on access ports and for VLAN 0. */
    public boolean tagsOnEgress(final int vid)
    {
        return trunk && vid != 0;
    }
}
