package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.util.List;

/**
 * A port as desired: which interface, on which network, with the container's addresses and its
 * 802.1Q role. Immutable; any thread.
 *
 * @param name        the interface name, unique on the host.
 * @param network     the network's name.
 * @param kind        AF_PACKET or TAP.
 * @param ip          the container's IPv4 address, or {@link #NO_IP}.
 * @param mac         the container's MAC (installed as a static FDB entry), or {@link #NO_MAC}.
 * @param vlan        access VLAN 1..4094, or 0 for untagged; 0 on a trunk.
 * @param trunkVlans  the VLANs a trunk carries tagged, ascending; empty for an access port.
 * @param macLimit    the port's own MAC limit, or 0 to take the network's.
 * @param containerName the container's name on its network, which the network's DNS server resolves to {@code ip}; "" for none.
 * @param aliases     more names for the container on this network (Docker's network aliases); several ports may share one.
 */
public record PortSpec(
    String name, String network, PortKind kind, int ip, long mac, int vlan, List<Integer> trunkVlans, int macLimit,
    String containerName, List<String> aliases, boolean portSecurity)
{
    /** 0.0.0.0 is never a container's address, so it stands for none. */
    public static final int NO_IP = 0;
    /** 00:00:00:00:00:00 is never a container's MAC, so it stands for none. */
    public static final long NO_MAC = 0;

    public PortSpec
    {
        trunkVlans = List.copyOf(trunkVlans);
        aliases = List.copyOf(aliases);
    }

    /** A port without port security (the form every port had before it came). */
    public PortSpec(
        final String name, final String network, final PortKind kind, final int ip, final long mac, final int vlan, final List<Integer> trunkVlans,
        final int macLimit, final String containerName, final List<String> aliases)
    {
        this(name, network, kind, ip, mac, vlan, trunkVlans, macLimit, containerName, aliases, false);
    }

    /** A port without DNS names (the form every port had before names came). */
    public PortSpec(
        final String name, final String network, final PortKind kind, final int ip, final long mac, final int vlan, final List<Integer> trunkVlans,
        final int macLimit)
    {
        this(name, network, kind, ip, mac, vlan, trunkVlans, macLimit, "", List.of());
    }

    public boolean hasContainerName()
    {
        return !containerName.isEmpty();
    }

    public boolean isTrunk()
    {
        return !trunkVlans.isEmpty();
    }

    public boolean hasIp()
    {
        return ip != NO_IP;
    }

    public boolean hasMac()
    {
        return mac != NO_MAC;
    }

    /** The VLAN the container's own (untagged) frames belong to, which is where its static FDB entry goes. */
    public int untaggedVlan()
    {
        return isTrunk() ? 0 : vlan;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(name).append(" (").append(kind.label());
        if (hasIp())
        {
            sb.append(", ip ").append(Ipv4Address.toString(ip));
        }
        if (hasMac())
        {
            sb.append(", mac ").append(MacAddress.toString(mac));
        }
        if (isTrunk())
        {
            sb.append(", trunk ").append(trunkVlans);
        }
        else if (vlan != 0)
        {
            sb.append(", vlan ").append(vlan);
        }
        if (macLimit > 0)
        {
            sb.append(", mac limit ").append(macLimit);
        }
        if (hasContainerName())
        {
            sb.append(", name ").append(containerName);
        }
        if (!aliases.isEmpty())
        {
            sb.append(", aliases ").append(aliases);
        }
        return sb.append(')').toString();
    }
}
