package dev.wharf.vxlan;

import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.vxlan.tunnel.MssClamp;
import dev.wharf.vxlan.tunnel.OverlayTables;
import dev.wharf.vxlan.tunnel.Tunnel;
import dev.wharf.vxlan.tunnel.TunnelPort;
import dev.wharf.vxlan.tunnel.TunnelPorts;
import dev.wharf.vxlan.underlay.UnderlayAddresses;
import dev.wharf.vxlan.underlay.UnderlayException;
import dev.wharf.vxlan.underlay.UnderlayPort;
import dev.wharf.vxlan.underlay.UnderlayTransport;
import org.agrona.collections.Long2LongHashMap;

import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The overlay as the control plane drives it: the host's tunnel endpoint (the underlay sockets, one
 * device port per encapsulation), the overlay networks (a tunnel port in each, found by VNI), their
 * flood lists of remote VTEPs and their remote endpoints (a static FDB entry behind the VTEP and a
 * proxy-ARP entry). Every change publishes new {@link OverlayTables} for the nodes.
 *
 * <p>Control thread only (methods are synchronized); inputs are checked by the API first, and what
 * is still wrong here throws {@link IllegalArgumentException} or {@link IllegalStateException} with a
 * message for the user, having changed nothing.
 */
public final class Overlay implements AutoCloseable
{
    /** The view of the underlay {@link #underlay()} gives. */
    public record UnderlayInfo(int localAddress, int vxlanPort, int genevePort, String device, int mtu, String transport)
    {
    }

    /** A remote endpoint behind a VTEP: its MAC and, for proxy ARP, its IPv4 address (0: none). */
    public record Endpoint(long mac, int ip)
    {
    }

    /** A VTEP of an overlay network: in its flood list, with the endpoints known behind it. */
    public record Vtep(int address, List<Endpoint> endpoints)
    {
    }

    private Dataplane dataplane;
    private final OverlayFeature feature;
    private volatile OverlayTables tables = OverlayTables.EMPTY;
    private UnderlayInfo underlay;
    private final UnderlayPort[] underlayPorts = new UnderlayPort[Encapsulation.values().length];
    private final int[] underlayPortIds = {-1, -1};
    private final Map<Integer, Network> networks = new LinkedHashMap<>();
    /** Underlays detached from the dataplane whose workers have not closed their sockets yet. */
    private final List<UnderlayPort> retiring = new ArrayList<>();
    /** How deep in {@link #batch} the caller is: above 0, VTEP and endpoint changes wait for its end to publish. */
    private int batchDepth;

    /** An overlay whose nodes can be composed into a dataplane's graph before that dataplane exists; {@link #bind} it then. */
    public Overlay()
    {
        this.feature = new OverlayFeature(this::tables);
    }

    /** Binds the overlay to the dataplane whose graph holds its {@link #feature()}; once, before any other call. */
    public synchronized Overlay bind(final Dataplane dataplane)
    {
        if (this.dataplane != null)
        {
            throw new IllegalStateException("the overlay is bound to a dataplane already");
        }
        this.dataplane = dataplane;
        return this;
    }

    /** The nodes to compose into every worker's graph. */
    public GraphFeature feature()
    {
        return feature;
    }

    /** The tables the nodes read; any thread. */
    public OverlayTables tables()
    {
        return tables;
    }

    /** The transport the underlay sockets use here, and why not io_uring if not (null then). */
    public static String transportNote()
    {
        return UnderlayTransport.unavailability();
    }

    /**
     * Makes {@code localAddress} this host's tunnel endpoint: binds VXLAN on {@code vxlanPort} and Geneve on
     * {@code genevePort} there, one socket per worker, replacing the previous underlay (tunnels move to the
     * new one). {@code device} (null: the interface holding the address) gives the underlay MTU.
     *
     * @throws UnderlayException when the address is not on this host or on {@code device}, or a port is taken.
     */
    public synchronized UnderlayInfo setUnderlay(final int localAddress, final int vxlanPort, final int genevePort, final String device)
    {
        if (vxlanPort == genevePort)
        {
            throw new IllegalArgumentException("VXLAN and Geneve need different UDP ports: both are " + vxlanPort);
        }
        final NetworkInterface holder = interfaceHolding(localAddress, device);
        final int mtu = mtuOf(holder);
        final UnderlayTransport transport = UnderlayTransport.best();
        final UnderlayPort[] opened = new UnderlayPort[underlayPorts.length];
        final int[] ports = {vxlanPort, genevePort};
        try
        {
            for (final Encapsulation encapsulation : Encapsulation.values())
            {
                final int e = encapsulation.ordinal();
                opened[e] = new UnderlayPort("underlay-" + encapsulation.label(), transport,
                    new InetSocketAddress(UnderlayAddresses.inet4(localAddress), ports[e]), dataplane.workerCount(), mtu);
            }
        }
        catch (final RuntimeException ex)
        {
            for (final UnderlayPort port : opened)
            {
                if (port != null)
                {
                    port.close();
                }
            }
            throw ex;
        }
        final int[] oldIds = underlayPortIds.clone();
        for (int e = 0; e < opened.length; e++)
        {
            if (underlayPorts[e] != null)
            {
                retiring.add(underlayPorts[e]);
            }
            underlayPorts[e] = opened[e];
            underlayPortIds[e] = dataplane.attachDevicePort(opened[e]);
        }
        underlay = new UnderlayInfo(localAddress, vxlanPort, genevePort, holder.getName(), mtu,
            transport == UnderlayTransport.IO_URING ? "io_uring" : "epoll");
        publish();
        for (final int old : oldIds)
        {
            if (old >= 0)
            {
                dataplane.detachPort(old); // closes the old sockets once no worker uses them
            }
        }
        return underlay;
    }

    /** The underlay, or null while none is set. */
    public synchronized UnderlayInfo underlay()
    {
        return underlay;
    }

    /** Removes the underlay; refused while an overlay network uses it. */
    public synchronized void clearUnderlay()
    {
        if (!networks.isEmpty())
        {
            throw new IllegalStateException("the underlay carries " + networks.size() + " overlay network(s): remove them first");
        }
        if (underlay == null)
        {
            return;
        }
        underlay = null;
        final int[] oldIds = underlayPortIds.clone();
        retiring.addAll(Arrays.asList(underlayPorts));
        Arrays.fill(underlayPortIds, -1);
        Arrays.fill(underlayPorts, null);
        publish();
        for (final int old : oldIds)
        {
            dataplane.detachPort(old);
        }
    }

    /** The MTU an overlay network of {@code encapsulation} gets by default: the underlay's less the encapsulation. */
    public synchronized int defaultMtu(final Encapsulation encapsulation)
    {
        requireUnderlay();
        return underlay.mtu - encapsulation.overhead();
    }

    /**
     * Makes dataplane network {@code network} an overlay network: attaches its tunnel port and claims
     * {@code vni} for it under {@code encapsulation}.
     *
     * @param mtu       the overlay MTU, or 0 for {@link #defaultMtu}.
     * @param mssClamp  lower the MSS of TCP SYNs crossing the tunnel to fit its MTU.
     * @param learning  learn remote MACs behind their VTEPs from decapsulated frames (else only the static
     *                  endpoints are known, the rest is flooded).
     * @return the tunnel port's id.
     */
    public synchronized int addNetwork(
        final int network, final int vni, final Encapsulation encapsulation, final int mtu, final boolean mssClamp,
        final boolean learning)
    {
        requireUnderlay();
        if (vni < 1 || vni > 0xFF_FFFF)
        {
            throw new IllegalArgumentException("a VNI is 1 to 16777215: " + vni);
        }
        if (networks.containsKey(network))
        {
            throw new IllegalStateException("network " + network + " is an overlay network already");
        }
        for (final Network other : networks.values())
        {
            if (other.vni == vni && other.encapsulation == encapsulation)
            {
                throw new IllegalStateException("VNI " + vni + " is used by another overlay network");
            }
        }
        final int limit = underlay.mtu - encapsulation.overhead();
        if (mtu > limit)
        {
            throw new IllegalArgumentException("MTU " + mtu + " does not fit the underlay: at most " + limit + " (" +
                underlay.device + " has " + underlay.mtu + ", " + encapsulation.label() + " takes " + encapsulation.overhead() + ")");
        }
        final TunnelPort port = new TunnelPort(tunnelName(encapsulation, vni), mtu > 0 ? mtu : limit, dataplane.workerCount());
        final int portId = dataplane.attachPort(network, port, false, 0, new int[0], 0);
        if (!learning)
        {
            dataplane.setPortLearning(portId, false);
        }
        networks.put(network, new Network(network, vni, encapsulation, port, portId, mssClamp));
        publish();
        return portId;
    }

    /** Takes network {@code network} out of the overlay: detaches its tunnel port, forgets its VTEPs. */
    public synchronized void removeNetwork(final int network)
    {
        final Network removed = networks.remove(network);
        if (removed == null)
        {
            return;
        }
        publish();
        dataplane.detachPort(removed.portId);
    }

    /** Adds {@code vtep} to the network's flood list. */
    public synchronized void addVtep(final int network, final int vtep)
    {
        checkVtep(vtep);
        overlayNetwork(network).vteps.computeIfAbsent(vtep, v -> new LinkedHashMap<>());
        tablesChanged();
    }

    /** Removes {@code vtep} and every endpoint behind it. */
    public synchronized void removeVtep(final int network, final int vtep)
    {
        final Network overlay = overlayNetwork(network);
        final Map<Long, Endpoint> endpoints = overlay.vteps.remove(vtep);
        if (endpoints == null)
        {
            throw new IllegalArgumentException("no VTEP " + UnderlayAddresses.text(vtep) + " on this network");
        }
        final NetworkState state = state(network);
        for (final Endpoint endpoint : endpoints.values())
        {
            forget(state, endpoint);
        }
        tablesChanged();
    }

    /**
     * Registers a remote endpoint: {@code mac} is behind {@code vtep} (a static FDB entry, never displaced by
     * learning) and answers ARP for {@code ip} locally (0: no proxy ARP). Adds the VTEP to the flood list.
     */
    public synchronized void addEndpoint(final int network, final int vtep, final long mac, final int ip)
    {
        checkVtep(vtep);
        final Network overlay = overlayNetwork(network);
        for (final Map.Entry<Integer, Map<Long, Endpoint>> other : overlay.vteps.entrySet())
        {
            if (other.getKey() != vtep && other.getValue().containsKey(mac))
            {
                throw new IllegalStateException("that MAC is behind VTEP " + UnderlayAddresses.text(other.getKey()) +
                    " already: remove it there first");
            }
        }
        overlay.vteps.computeIfAbsent(vtep, v -> new LinkedHashMap<>()).put(mac, new Endpoint(mac, ip));
        final NetworkState state = state(network);
        state.fdb.addStatic(mac, 0, overlay.portId, vtep);
        if (ip != 0)
        {
            // the gateway routes to it without asking: its ARP reply would go to the far host's gateway, which has our MAC
            state.neighbours.learnPermanent(ip, mac);
        }
        tablesChanged();
    }

    /** Forgets endpoint {@code mac} behind {@code vtep}; the VTEP stays in the flood list. */
    public synchronized void removeEndpoint(final int network, final int vtep, final long mac)
    {
        final Map<Long, Endpoint> endpoints = overlayNetwork(network).vteps.get(vtep);
        final Endpoint removed = endpoints == null ? null : endpoints.remove(mac);
        if (removed == null)
        {
            throw new IllegalArgumentException("no such endpoint behind VTEP " + UnderlayAddresses.text(vtep));
        }
        forget(state(network), removed);
        tablesChanged();
    }

    /**
     * Runs {@code changes}, calls of this overlay's VTEP and endpoint methods, publishing the nodes' tables once when
     * they end (or throw) rather than after each call: programming thousands of remote endpoints at once (a cluster
     * resync) is then linear in them, not quadratic. Meanwhile the FDB and neighbour entries are already in; the flood
     * lists and proxy ARP follow at the end.
     */
    public synchronized <T> T batch(final Supplier<T> changes)
    {
        batchDepth++;
        try
        {
            return changes.get();
        }
        finally
        {
            if (--batchDepth == 0)
            {
                publish();
            }
        }
    }

    private void tablesChanged()
    {
        if (batchDepth == 0)
        {
            publish();
        }
    }

    /** The network's VTEPs in the order they were added, with their endpoints. */
    public synchronized List<Vtep> vteps(final int network)
    {
        final List<Vtep> list = new ArrayList<>();
        for (final Map.Entry<Integer, Map<Long, Endpoint>> vtep : overlayNetwork(network).vteps.entrySet())
        {
            list.add(new Vtep(vtep.getKey(), List.copyOf(vtep.getValue().values())));
        }
        return list;
    }

    /** True when network {@code network} is an overlay network. */
    public synchronized boolean isOverlay(final int network)
    {
        return networks.containsKey(network);
    }

    /** The name of the tunnel port of VNI {@code vni} under {@code encapsulation}, as listings show it: {@code vxlan-42}. */
    public static String tunnelName(final Encapsulation encapsulation, final int vni)
    {
        return encapsulation.label() + "-" + vni;
    }

    /** The dataplane port id of the underlay's device port for {@code encapsulation}, or -1 while no underlay is set. */
    public synchronized int underlayPort(final Encapsulation encapsulation)
    {
        return underlayPortIds[encapsulation.ordinal()];
    }

    /** The MTU of an overlay network's tunnel port (what its containers' packets must fit), or 0 for a network that is not one. */
    public synchronized int mtu(final int network)
    {
        final Network overlay = networks.get(network);
        return overlay == null ? 0 : overlay.port.mtu();
    }

    /** The tunnel port id of an overlay network, or -1. */
    public synchronized int tunnelPort(final int network)
    {
        final Network overlay = networks.get(network);
        return overlay == null ? -1 : overlay.portId;
    }

    @Override
    public synchronized void close()
    {
        if (dataplane == null)
        {
            return;
        }
        for (final Integer network : List.copyOf(networks.keySet()))
        {
            removeNetwork(network);
        }
        clearUnderlay();
    }

    private void requireUnderlay()
    {
        if (underlay == null)
        {
            throw new IllegalStateException("no underlay: set one first (wharf underlay set --local IP)");
        }
    }

    private static void checkVtep(final int vtep)
    {
        final int first = vtep >>> 24;
        if (vtep == 0 || first == 127 || first >= 224)
        {
            throw new IllegalArgumentException(UnderlayAddresses.text(vtep) + " cannot be a VTEP (a unicast IPv4 address is needed)");
        }
    }

    private static void forget(final NetworkState state, final Endpoint endpoint)
    {
        state.fdb.remove(endpoint.mac(), 0);
        if (endpoint.ip() != 0)
        {
            state.neighbours.forget(endpoint.ip());
        }
    }

    private Network overlayNetwork(final int network)
    {
        final Network overlay = networks.get(network);
        if (overlay == null)
        {
            throw new IllegalArgumentException("network " + network + " is not an overlay network");
        }
        return overlay;
    }

    private NetworkState state(final int network)
    {
        return dataplane.snapshot().network(network);
    }

    /** Builds the nodes' tables and the tunnel ports' configuration from the current state. */
    private void publish()
    {
        final List<Tunnel> tunnels = new ArrayList<>();
        final Long2LongHashMap proxyArp = new Long2LongHashMap(0);
        for (final Network network : networks.values())
        {
            final int[] flood = network.vteps.keySet().stream().mapToInt(Integer::intValue).toArray();
            final Tunnel tunnel = new Tunnel(network.index, network.portId, network.vni, network.encapsulation, flood,
                underlayPorts[network.encapsulation.ordinal()], network.mssClamp ? MssClamp.maxMss(network.port.mtu()) : 0);
            TunnelPorts.configure(network.port, tunnel);
            tunnels.add(tunnel);
            for (final Map<Long, Endpoint> endpoints : network.vteps.values())
            {
                for (final Endpoint endpoint : endpoints.values())
                {
                    if (endpoint.ip() != 0)
                    {
                        proxyArp.put(OverlayTables.key(network.index, endpoint.ip()), endpoint.mac());
                    }
                }
            }
        }
        retiring.removeIf(UnderlayPort::isClosed);
        tables = new OverlayTables(tunnels.toArray(new Tunnel[0]), underlayPortIds, proxyArp, retiring.toArray(new UnderlayPort[0]));
    }

    private static NetworkInterface interfaceHolding(final int address, final String device)
    {
        final String text = UnderlayAddresses.text(address);
        try
        {
            final NetworkInterface holder = NetworkInterface.getByInetAddress(UnderlayAddresses.inet4(address));
            if (holder == null)
            {
                throw new UnderlayException(text + " is not an address of this host");
            }
            if (device != null && !device.equals(holder.getName()))
            {
                if (NetworkInterface.getByName(device) == null)
                {
                    throw new UnderlayException("no interface " + device + " on this host");
                }
                throw new UnderlayException(text + " is on " + holder.getName() + ", not on " + device);
            }
            return holder;
        }
        catch (final SocketException ex)
        {
            throw new UnderlayException("cannot read this host's interfaces: " + ex.getMessage(), ex);
        }
    }

    private static int mtuOf(final NetworkInterface holder)
    {
        try
        {
            return holder.getMTU();
        }
        catch (final SocketException ex)
        {
            throw new UnderlayException("cannot read the MTU of " + holder.getName() + ": " + ex.getMessage(), ex);
        }
    }

    /** The control plane's record of one overlay network. */
    private static final class Network
    {
        final int index;
        final int vni;
        final Encapsulation encapsulation;
        final TunnelPort port;
        final int portId;
        final boolean mssClamp;
        /** VTEP address to its endpoints by MAC, in the order added (the flood list's order). */
        final Map<Integer, Map<Long, Endpoint>> vteps = new LinkedHashMap<>();

        Network(
            final int index, final int vni, final Encapsulation encapsulation, final TunnelPort port, final int portId, final boolean mssClamp)
        {
            this.mssClamp = mssClamp;
            this.index = index;
            this.vni = vni;
            this.encapsulation = encapsulation;
            this.port = port;
            this.portId = portId;
        }
    }
}
