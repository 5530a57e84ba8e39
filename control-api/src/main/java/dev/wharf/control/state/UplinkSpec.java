package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;

/**
 * The uplink as desired: the host's outside interface, its address there and the router beyond.
 * Immutable; any thread.
 *
 * @param interfaceName the host interface, opened through AF_PACKET.
 * @param address       the host's outside address.
 * @param prefixLength  its prefix length, 1..30.
 * @param gateway       the outside router, inside {@code address/prefixLength}.
 */
public record UplinkSpec(String interfaceName, int address, int prefixLength, int gateway)
{
    /** The uplink's subnet. */
    public Cidr subnet()
    {
        return new Cidr(address & Ipv4Address.mask(prefixLength), prefixLength);
    }

    /** {@code a.b.c.d/n}. */
    public String addressText()
    {
        return Ipv4Address.toString(address) + "/" + prefixLength;
    }

    @Override
    public String toString()
    {
        return interfaceName + " (address " + addressText() + ", gateway " + Ipv4Address.toString(gateway) + ")";
    }
}
