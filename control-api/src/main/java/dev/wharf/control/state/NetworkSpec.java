package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

/**
 * A network as desired, every default resolved: what a state file would hold and what replaying it
 * recreates. Immutable; any thread.
 *
 * @param name       unique name.
 * @param subnet     the IPv4 subnet.
 * @param gateway    the gateway address inside the subnet.
 * @param gatewayMac the gateway's MAC (low 48 bits), kept so that it survives a restart unchanged.
 * @param macLimit   most MACs each port may learn, or 0 for the daemon's default.
 * @param internal   no traffic to or from the uplink.
 * @param icc        containers of the network may talk to each other.
 * @param masquerade connections leaving through the uplink take the uplink's address.
 */
public record NetworkSpec(String name, Cidr subnet, int gateway, long gatewayMac, int macLimit, boolean internal, boolean icc, boolean masquerade)
{
    /** A network with the default policy: not internal, ICC on, masquerade on. */
    public NetworkSpec(final String name, final Cidr subnet, final int gateway, final long gatewayMac, final int macLimit)
    {
        this(name, subnet, gateway, gatewayMac, macLimit, false, true, true);
    }

    /** This network with gateway MAC {@code mac}. */
    public NetworkSpec withGatewayMac(final long mac)
    {
        return new NetworkSpec(name, subnet, gateway, mac, macLimit, internal, icc, masquerade);
    }

    @Override
    public String toString()
    {
        return name + " (subnet " + subnet + ", gateway " + Ipv4Address.toString(gateway) + " " +
            MacAddress.toString(gatewayMac) + (macLimit > 0 ? ", mac limit " + macLimit : "") +
            (internal ? ", internal" : "") + (icc ? "" : ", icc off") + (masquerade ? "" : ", masquerade off") + ")";
    }
}
