package dev.wharf.lb;

import dev.wharf.dataplane.protocol.Ipv4Address;

/**
 * A virtual service's identity, as IPVS names one: VIP, port and protocol ({@code 10.10.0.100:80/tcp}).
 *
 * @param vip      IPv4 address as an int.
 * @param port     1..65535.
 * @param protocol 6 (TCP) or 17 (UDP).
 */
public record ServiceKey(int vip, int port, int protocol)
{
    public static final int TCP = 6;
    public static final int UDP = 17;

    public ServiceKey
    {
        if (port < 1 || port > 65_535)
        {
            throw new IllegalArgumentException("service port must be 1..65535: " + port);
        }
        if (protocol != TCP && protocol != UDP)
        {
            throw new IllegalArgumentException("service protocol must be tcp or udp: " + protocol);
        }
    }

    /** The key as {@link ServiceTable} hashes it. */
    long packed()
    {
        return packed(vip, port, protocol);
    }

    static long packed(final int vip, final int port, final int protocol)
    {
        return (vip & 0xFFFF_FFFFL) << 32 | (long)protocol << 16 | port;
    }

    public String protocolName()
    {
        return protocol == TCP ? "tcp" : "udp";
    }

    @Override
    public String toString()
    {
        return Ipv4Address.toString(vip) + ":" + port + "/" + protocolName();
    }
}
