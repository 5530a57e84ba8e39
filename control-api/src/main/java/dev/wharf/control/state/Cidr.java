package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;

/**
 * An IPv4 subnet: a network address with its host bits zero and a prefix length. Immutable value
 * of the desired state; any thread.
 *
 * @param network      the network address, host order of its dotted form (10.10.0.0 = 0x0A0A0000).
 * @param prefixLength 0..32.
 */
public record Cidr(int network, int prefixLength)
{
    public Cidr
    {
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        if ((network & ~Ipv4Address.mask(prefixLength)) != 0)
        {
            throw new IllegalArgumentException("host bits set in " + Ipv4Address.toString(network) + "/" + prefixLength);
        }
    }

    public int mask()
    {
        return Ipv4Address.mask(prefixLength);
    }

    public int broadcast()
    {
        return network | ~mask();
    }

    /** The first address after the network address: the default gateway. */
    public int firstHost()
    {
        return network + 1;
    }

    public boolean contains(final int address)
    {
        return (address & mask()) == network;
    }

    public boolean overlaps(final Cidr other)
    {
        final int shorter = Math.min(prefixLength, other.prefixLength);
        final int mask = Ipv4Address.mask(shorter);
        return (network & mask) == (other.network & mask);
    }

    @Override
    public String toString()
    {
        return Ipv4Address.toString(network) + "/" + prefixLength;
    }
}
