package dev.wharf.dataplane.config;

import org.agrona.BitUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * The configuration the workers forward with: networks and ports, indexed by their ids. Immutable;
 * the control plane builds a new one for every change and publishes it through one volatile
 * reference, which a worker reads once per batch.
 */
public final class DataplaneSnapshot
{
    /** {@link #networkMtu} of a network without ports: larger than any IPv4 packet. */
    public static final int NO_MTU = Integer.MAX_VALUE;
    public static final DataplaneSnapshot EMPTY = new DataplaneSnapshot(0, new NetworkState[0], new PortBinding[0], 1);

    public final long version;
    private final NetworkState[] networks;
    private final PortBinding[] ports;
    /** Per worker, the poll descriptors of its receive queues. */
    private final int[][] pollDescriptors;
    /** Attached ports in id order, for the receive loop. */
    private final PortBinding[] attached;
    private final int uplinkIndex;
    /** Per network index, the smallest MTU of its member ports ({@link #NO_MTU} without any). */
    private final int[] networkMtu;
    /** The gateway addresses of all networks, the uplink's among them, open-addressed (0: free). */
    private final int[] localAddresses;
    private final int localMask;
    /** True when some network's gateway address is 0.0.0.0 (which the set cannot hold). */
    private final boolean zeroIsLocal;
    /** Container networks' subnets for {@link #route}: longest prefix first, network address and mask. */
    private final int[] routeSubnets;
    private final int[] routeMasks;
    private final NetworkState[] routeNetworks;

    public DataplaneSnapshot(final long version, final NetworkState[] networks, final PortBinding[] ports, final int workers)
    {
        this.version = version;
        this.networks = networks;
        this.ports = ports;
        final List<PortBinding> list = new ArrayList<>();
        for (final PortBinding binding : ports)
        {
            if (binding != null)
            {
                list.add(binding);
            }
        }
        this.attached = list.toArray(new PortBinding[0]);
        int uplink = -1;
        for (final NetworkState network : networks)
        {
            if (network != null && network.uplink)
            {
                uplink = network.index;
            }
        }
        this.uplinkIndex = uplink;
        final List<NetworkState> containers = new ArrayList<>();
        int locals = 0;
        boolean zero = false;
        for (final NetworkState network : networks)
        {
            if (network != null)
            {
                locals += network.hostIp != 0 ? 2 : 1;
                zero |= network.gatewayIp == 0;
                if (!network.uplink)
                {
                    containers.add(network);
                }
            }
        }
        this.zeroIsLocal = zero;
        final int localSlots = BitUtil.findNextPositivePowerOfTwo(Math.max(16, locals * 4));
        this.localAddresses = new int[localSlots];
        this.localMask = localSlots - 1;
        for (final NetworkState network : networks)
        {
            if (network != null)
            {
                addLocal(network.gatewayIp);
                addLocal(network.hostIp);
            }
        }
        // longest prefix first (Docker's subnets do not overlap; if they did, the more specific wins), then by index
        containers.sort((x, y) -> x.prefixLength != y.prefixLength ? y.prefixLength - x.prefixLength : x.index - y.index);
        this.routeNetworks = containers.toArray(new NetworkState[0]);
        this.routeSubnets = new int[routeNetworks.length];
        this.routeMasks = new int[routeNetworks.length];
        for (int r = 0; r < routeNetworks.length; r++)
        {
            routeMasks[r] = routeNetworks[r].netmask;
            routeSubnets[r] = routeNetworks[r].subnet & routeMasks[r];
        }
        this.networkMtu = new int[networks.length];
        java.util.Arrays.fill(networkMtu, NO_MTU);
        for (final PortBinding binding : attached)
        {
            if (binding.network >= 0 && binding.network < networks.length && binding.mtu < networkMtu[binding.network])
            {
                networkMtu[binding.network] = binding.mtu;
            }
        }
        this.pollDescriptors = new int[workers][];
        for (int w = 0; w < workers; w++)
        {
            final int[] fds = new int[attached.length];
            int n = 0;
            for (final PortBinding binding : attached)
            {
                final int fd = binding.port.queue(w).pollDescriptor();
                if (fd >= 0)
                {
                    fds[n++] = fd;
                }
            }
            pollDescriptors[w] = java.util.Arrays.copyOf(fds, n);
        }
    }

    public NetworkState network(final int index)
    {
        return index >= 0 && index < networks.length ? networks[index] : null;
    }

    public PortBinding port(final int id)
    {
        return id >= 0 && id < ports.length ? ports[id] : null;
    }

    /**
     * The MTU a packet routed into network {@code index} must fit: the smallest MTU of the network's
     * member ports, as ip4-forward checks it before the postrouting arc (a network spans its ports like one link, and
     * which port the next hop is behind is only known after the FDB lookup in ip4-rewrite).
     * {@link #NO_MTU} for a network without ports or an unknown index.
     */
    public int networkMtu(final int index)
    {
        return index >= 0 && index < networkMtu.length ? networkMtu[index] : NO_MTU;
    }

    private void addLocal(final int address)
    {
        if (address == 0)
        {
            return;
        }
        int slot = localHash(address) & localMask;
        while (localAddresses[slot] != 0 && localAddresses[slot] != address)
        {
            slot = (slot + 1) & localMask;
        }
        localAddresses[slot] = address;
    }

    /** True when {@code address} is the gateway address of a network (for the uplink: the host's outside address). */
    public boolean isLocal(final int address)
    {
        if (address == 0)
        {
            return zeroIsLocal;
        }
        final int[] set = localAddresses;
        int slot = localHash(address) & localMask;
        int found;
        while ((found = set[slot]) != 0)
        {
            if (found == address)
            {
                return true;
            }
            slot = (slot + 1) & localMask;
        }
        return false;
    }

    /**
     * The network a packet to {@code destination} is routed into: the container network whose subnet
     * holds it (longest prefix first), else the uplink when it can reach it (a default gateway, or the
     * destination on the uplink's subnet), else null.
     */
    public NetworkState route(final int destination)
    {
        final int[] subnets = routeSubnets;
        final int[] masks = routeMasks;
        for (int r = 0; r < subnets.length; r++)
        {
            if ((destination & masks[r]) == subnets[r])
            {
                return routeNetworks[r];
            }
        }
        final NetworkState uplink = uplinkIndex < 0 ? null : networks[uplinkIndex];
        if (uplink == null || (uplink.defaultGateway == 0 && !uplink.contains(destination)))
        {
            return null;
        }
        return uplink;
    }

    private static int localHash(final int address)
    {
        // one multiply (Fibonacci hashing): Agrona's Hashing.hash(int) takes two and three shifts, per routed packet
        final int h = address * 0x9E37_79B9;
        return h ^ (h >>> 16);
    }

    /** The uplink network's index, or -1 when no uplink is set. */
    public int uplinkIndex()
    {
        return uplinkIndex;
    }

    /** The uplink network, or null. */
    public NetworkState uplink()
    {
        return uplinkIndex < 0 ? null : networks[uplinkIndex];
    }

    public int networkSlots()
    {
        return networks.length;
    }

    public int portSlots()
    {
        return ports.length;
    }

    public PortBinding[] attachedPorts()
    {
        return attached;
    }

    public int[] pollDescriptors(final int worker)
    {
        return pollDescriptors[worker];
    }

    public NetworkState[] networksCopy()
    {
        return networks.clone();
    }

    public PortBinding[] portsCopy()
    {
        return ports.clone();
    }
}
