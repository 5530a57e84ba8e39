package dev.wharf.dataplane.config;

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
     * member ports, as ip4-lookup checks it before NAT (a network spans its ports like one link, and
     * which port the next hop is behind is only known after the FDB lookup in ip4-rewrite).
     * {@link #NO_MTU} for a network without ports or an unknown index.
     */
    public int networkMtu(final int index)
    {
        return index >= 0 && index < networkMtu.length ? networkMtu[index] : NO_MTU;
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
