package dev.wharf.dataplane.config;

import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;

/**
 * One network as the workers see it: its gateway, its FDB, its neighbours and its member ports.
 * Immutable but for the FDB and the neighbour table, which are concurrent tables of their own.
 *
 * <p>The uplink is a network too ({@link #uplink}): its one port is the host's outside interface,
 * its "gateway" address and MAC are the host's outside address and that interface's MAC (which is
 * what ARP and ping from outside are answered with), and {@link #defaultGateway} is the outside
 * router every destination off all networks is sent to.
 */
public final class NetworkState
{
    public final int index;
    public final String name;
    public final int subnet;
    public final int prefixLength;
    /** The subnet mask of {@link #prefixLength}. */
    public final int netmask;
    public final int gatewayIp;
    public final long gatewayMac;
    public final FdbTable fdb;
    /** Member port ids, in attach order. */
    public final int[] portIds;
    public final NetworkPolicy policy;
    /** True for the uplink network. */
    public final boolean uplink;
    /** The uplink's next hop for destinations outside every network (0: none); 0 on container networks. */
    public final int defaultGateway;
    public final NeighbourTable neighbours;
    /**
     * This host's own address on the network (0: none), beside a gateway address that several hosts
     * share (an overlay's anycast gateway, as EVPN gives each VTEP a unique IRB address beside the
     * anycast one): the address that connections translated here take as their source when they may be
     * answered on another host, and that ARP requests are sent from, so that the answer comes back here.
     */
    public final int hostIp;
    /** The MAC of {@link #hostIp} (0 with it), unique to this host; frames to it reach the gateway. */
    public final long hostMac;
    /** Bit n set: this network may route to and from network n (the user connected them). */
    private final long[] connected;

    public NetworkState(
        final int index, final String name, final int subnet, final int prefixLength,
        final int gatewayIp, final long gatewayMac, final FdbTable fdb, final int[] portIds)
    {
        this(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, portIds, NetworkPolicy.DEFAULT, false, 0,
            new NeighbourTable(NeighbourTable.CAPACITY_DEFAULT), new long[0]);
    }

    public NetworkState(
        final int index, final String name, final int subnet, final int prefixLength,
        final int gatewayIp, final long gatewayMac, final FdbTable fdb, final int[] portIds,
        final NetworkPolicy policy, final boolean uplink, final int defaultGateway, final NeighbourTable neighbours,
        final long[] connected)
    {
        this(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, portIds, policy, uplink, defaultGateway, neighbours,
            connected, 0, 0);
    }

    private NetworkState(
        final int index, final String name, final int subnet, final int prefixLength,
        final int gatewayIp, final long gatewayMac, final FdbTable fdb, final int[] portIds,
        final NetworkPolicy policy, final boolean uplink, final int defaultGateway, final NeighbourTable neighbours,
        final long[] connected, final int hostIp, final long hostMac)
    {
        this.index = index;
        this.name = name;
        this.subnet = subnet;
        this.prefixLength = prefixLength;
        this.netmask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        this.gatewayIp = gatewayIp;
        this.gatewayMac = gatewayMac;
        this.fdb = fdb;
        this.portIds = portIds;
        this.policy = policy;
        this.uplink = uplink;
        this.defaultGateway = defaultGateway;
        this.neighbours = neighbours;
        this.connected = connected;
        this.hostIp = hostIp;
        this.hostMac = hostIp == 0 ? 0 : hostMac;
    }

    /** True when frames to {@code mac} are for this network's gateway: its MAC, or this host's own ({@link #hostMac}). */
    public boolean isRouterMac(final long mac)
    {
        return mac == gatewayMac || (mac == hostMac && hostMac != 0);
    }

    /** The same network with this host's own address on it ({@code ip} 0: none). */
    public NetworkState withHostAddress(final int ip, final long mac)
    {
        return new NetworkState(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, portIds, policy, uplink,
            defaultGateway, neighbours, connected, ip, mac);
    }

    /** True when {@code address} is inside this network's subnet. */
    public boolean contains(final int address)
    {
        return ((address ^ subnet) & netmask) == 0;
    }

    /** True when the user connected this network with network {@code other} (routing between them allowed). */
    public boolean isConnectedTo(final int other)
    {
        final int word = other >>> 6;
        return word < connected.length && (connected[word] & (1L << (other & 63))) != 0;
    }

    public NetworkState withPorts(final int[] newPortIds)
    {
        return new NetworkState(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, newPortIds, policy, uplink,
            defaultGateway, neighbours, connected, hostIp, hostMac);
    }

    public NetworkState withPolicy(final NetworkPolicy newPolicy)
    {
        return new NetworkState(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, portIds, newPolicy, uplink,
            defaultGateway, neighbours, connected, hostIp, hostMac);
    }

    /** The same network with its connection to {@code other} set or cleared. */
    public NetworkState withConnection(final int other, final boolean on)
    {
        final long[] bits = java.util.Arrays.copyOf(connected, Math.max(connected.length, (other >>> 6) + 1));
        if (on)
        {
            bits[other >>> 6] |= 1L << (other & 63);
        }
        else
        {
            bits[other >>> 6] &= ~(1L << (other & 63));
        }
        return new NetworkState(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, portIds, policy, uplink,
            defaultGateway, neighbours, bits, hostIp, hostMac);
    }
}
