package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.ConnectionSpec;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkOptions;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.PublishSpec;
import dev.wharf.control.state.RuleSpec;
import dev.wharf.control.state.StateFileException;
import dev.wharf.control.state.StateStore;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.io.PortException;
import dev.wharf.nat.FlowView;
import dev.wharf.nat.NatFailure;
import dev.wharf.nat.PublishedPort;
import dev.wharf.nat.UserRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.wharf.control.server.Inputs.quote;

/**
 * Applies the desired state to the {@link Dataplane}: the one writer of both. Every change checks
 * the whole request against the current state first, then changes the dataplane, and only when
 * that worked swaps in the new {@link DesiredState}; a refused request throws
 * {@link ControlException} and leaves both as they were. The dataplane's own ids (network index,
 * port id) are kept here, beside but outside the desired state, so the state can be persisted and
 * replayed on a dataplane that numbers things differently.
 *
 * <p>Thread safety: gRPC calls arrive on the server's executor threads; every method takes this
 * object's monitor, so changes are serial and readers see a state and its dataplane ids together.
 * A reader that combines several calls (a network with its ports) holds the monitor across them.
 *
 * <p>The uplink is a network of the dataplane too, kept apart from the user's networks: it is
 * added with its port when its interface is there and removed with it when the interface goes
 * (its MAC is the interface's, which a new interface of the same name may not share). Published
 * ports and user rules are handed to {@link NatControl} as whole lists after every change.
 * Changes never wait on workers while holding anything they need: detaching waits for workers to
 * drop the port, which they do from the snapshot alone.
 */
public final class SwitchController
{
    private static final Logger LOG = LoggerFactory.getLogger(SwitchController.class);

    private final Dataplane dataplane;
    private final PortOpener opener;
    private final StateStore store;
    private final NatControl nat;
    private DesiredState state = DesiredState.EMPTY;
    /** The uplink in the dataplane now: its network index, port id, interface index and MAC; null when down or unset. */
    private UplinkRuntime uplinkRuntime;
    /** Why the uplink of the desired state is not in the dataplane; null when it is (or none is set). */
    private String uplinkDown;
    /** Ports of the desired state that are not in the dataplane now, and why. */
    private final Map<String, String> downReasons = new LinkedHashMap<>();
    /** The interface index each attached AF_PACKET port was opened on: a new index means a new interface. */
    private final Map<String, Integer> interfaceIndexes = new HashMap<>();
    private final Map<String, Integer> networkIndexes = new HashMap<>();
    private final Map<String, Integer> portIds = new HashMap<>();
    private final Map<Integer, String> portNames = new HashMap<>();

    /** A port's runtime facts next to its desired state. */
    public record PortStatus(int mtu, int learnedMacs, int macLimit, boolean up, String downReason)
    {
    }

    /** One FDB entry with its port named. */
    public record FdbRow(long mac, int vlan, String port, boolean isStatic, long ageMs)
    {
    }

    /** One port's traffic since it was attached. */
    public record PortCounters(
        String name, String network, long rxPackets, long rxBytes, long txPackets, long txBytes, long rxDrops, long txDrops)
    {
    }

    /** A named dataplane counter summed over workers. */
    public record NamedCounter(String name, long value)
    {
    }

    private record UplinkRuntime(int network, int port, int interfaceIndex, long mac)
    {
    }

    /** The uplink's runtime facts next to its desired state. */
    public record UplinkStatus(UplinkSpec spec, long mac, boolean up, String downReason, long gatewayMac, int neighbours)
    {
    }

    /** One tracked connection with its networks named. */
    public record ConnectionRow(FlowView flow, String originalNetwork, String replyNetwork)
    {
    }

    /** The name the uplink's network has in the dataplane and in listings. */
    public static final String UPLINK_NETWORK = "uplink";
    public static final int CONNTRACK_LIST_DEFAULT = 1_000;

    /** A controller that keeps its state in memory only and has no NAT nodes (tests). */
    public SwitchController(final Dataplane dataplane, final PortOpener opener)
    {
        this(dataplane, opener, null);
    }

    /** @param store where every accepted change is persisted, or null to keep it in memory only. */
    public SwitchController(final Dataplane dataplane, final PortOpener opener, final StateStore store)
    {
        this(dataplane, opener, store, NatControl.detached());
    }

    /**
     * @param store where every accepted change is persisted, or null to keep it in memory only.
     * @param nat   the connection tracking and NAT of {@code dataplane}.
     */
    public SwitchController(final Dataplane dataplane, final PortOpener opener, final StateStore store, final NatControl nat)
    {
        this.dataplane = dataplane;
        this.opener = opener;
        this.store = store;
        this.nat = nat;
    }

    public synchronized DesiredState state()
    {
        return state;
    }

    /** The network called {@code name}, or NOT_FOUND. */
    public synchronized NetworkSpec network(final String name)
    {
        final NetworkSpec network = state.network(name);
        if (network == null)
        {
            throw ControlException.notFound("network " + quote(name) + " not found");
        }
        return network;
    }

    /**
     * Creates a network.
     *
     * @param gateway the gateway address, or 0 for the subnet's first address.
     * @param macLimit most MACs per port, or 0 for the daemon's default.
     */
    public synchronized NetworkSpec createNetwork(final String name, final Cidr subnet, final int gateway, final int macLimit)
    {
        return createNetwork(name, subnet, gateway, macLimit, NetworkOptions.DEFAULT);
    }

    /** Creates a network with its policy (internal, icc, masquerade). */
    public synchronized NetworkSpec createNetwork(
        final String name, final Cidr subnet, final int gateway, final int macLimit, final NetworkOptions policy)
    {
        Inputs.networkName(name);
        final int gatewayIp = gateway == 0 ? subnet.firstHost() : gateway;
        checkInside(subnet, gatewayIp, "gateway " + Ipv4Address.toString(gatewayIp));
        checkMacLimit(macLimit);
        if (state.network(name) != null)
        {
            throw ControlException.alreadyExists("network " + quote(name) + " already exists");
        }
        final Set<Long> takenMacs = new HashSet<>();
        for (final NetworkSpec other : state.networks())
        {
            if (other.subnet().overlaps(subnet))
            {
                throw ControlException.precondition("subnet " + subnet + " overlaps network " + quote(other.name()) +
                    " (" + other.subnet() + ")");
            }
            takenMacs.add(other.gatewayMac());
        }
        final UplinkSpec uplink = state.uplink();
        if (uplink != null && uplink.subnet().overlaps(subnet))
        {
            throw ControlException.precondition("subnet " + subnet + " overlaps the uplink's (" + uplink.subnet() + ")");
        }
        final NetworkSpec spec = new NetworkSpec(name, subnet, gatewayIp, GatewayMacs.derive(name, takenMacs), macLimit,
            policy.internal(), policy.icc(), policy.masquerade());
        addToDataplane(spec);
        commit(state.withNetwork(spec), () -> dataplane.removeNetwork(networkIndexes.remove(name)));
        LOG.info("network created: {}", spec);
        return spec;
    }

    /** Removes a network that has no ports. */
    public synchronized void removeNetwork(final String name)
    {
        network(name);
        final List<PortSpec> ports = state.portsOf(name);
        if (!ports.isEmpty())
        {
            throw ControlException.precondition("network " + quote(name) + " has " + ports.size() +
                (ports.size() == 1 ? " port" : " ports") + " attached (" + String.join(", ", ports.stream().map(PortSpec::name).toList()) +
                "); detach them first");
        }
        final List<PublishSpec> published = state.published().stream().filter(p -> p.network().equals(name)).toList();
        if (!published.isEmpty())
        {
            throw ControlException.precondition("network " + quote(name) + " has published ports (" +
                String.join(", ", published.stream().map(PublishSpec::hostText).toList()) + "); remove them first (wharf publish rm)");
        }
        commit(state.withoutNetwork(name), () -> { });
        dataplane.removeNetwork(networkIndexes.remove(name));
        LOG.info("network removed: {}", name);
    }

    /**
     * Opens the port's interface and attaches it. The interface is opened last among the checks
     * and closed again if the dataplane refuses it, so a refusal leaves no open port behind.
     */
    public synchronized PortSpec attachPort(final PortSpec spec)
    {
        final NetworkSpec network = checkAttach(spec);
        final int id = attachToDataplane(spec, network);
        commit(state.withPort(spec), () -> forgetAttached(spec.name(), id));
        LOG.info("port attached to network {}: {}", network.name(), spec);
        return spec;
    }

    /** Opens the port and puts it in the dataplane with its static MAC; on any failure nothing stays open. */
    private int attachToDataplane(final PortSpec spec, final NetworkSpec network)
    {
        final int interfaceIndex = spec.kind() == PortKind.AF_PACKET ? opener.interfaceIndex(spec.name()) : -1;
        final Port port = open(spec);
        final int id;
        try
        {
            id = dataplane.attachPort(networkIndexes.get(network.name()), port, spec.isTrunk(), spec.vlan(),
                spec.trunkVlans().stream().mapToInt(Integer::intValue).toArray(), effectiveMacLimit(spec, network));
        }
        catch (final IllegalStateException e)
        {
            port.close();
            throw new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "cannot attach " + quote(spec.name()) + ": " + e.getMessage());
        }
        catch (final RuntimeException e)
        {
            port.close();
            throw e;
        }
        if (spec.hasMac())
        {
            try
            {
                fdb(network.name()).addStatic(spec.mac(), spec.untaggedVlan(), id);
            }
            catch (final RuntimeException e)
            {
                dataplane.detachPort(id); // nothing half-applied: the port goes again (and is closed)
                throw e;
            }
        }
        portIds.put(spec.name(), id);
        portNames.put(id, spec.name());
        downReasons.remove(spec.name());
        if (interfaceIndex > 0)
        {
            interfaceIndexes.put(spec.name(), interfaceIndex);
        }
        return id;
    }

    private void forgetAttached(final String name, final int id)
    {
        portIds.remove(name);
        portNames.remove(id);
        interfaceIndexes.remove(name);
        dataplane.detachPort(id);
    }

    private NetworkSpec checkAttach(final PortSpec spec)
    {
        Inputs.interfaceName(spec.name());
        if (spec.isTrunk() && spec.vlan() != 0)
        {
            throw ControlException.invalid("a port is either an access port (--vlan) or a trunk (--trunk), not both");
        }
        if (spec.vlan() != 0)
        {
            Inputs.vlan(spec.vlan());
        }
        spec.trunkVlans().forEach(Inputs::vlan);
        checkMacLimit(spec.macLimit());
        final NetworkSpec network = network(spec.network());
        if (spec.hasIp())
        {
            checkInside(network.subnet(), spec.ip(), "IP " + Ipv4Address.toString(spec.ip()));
            if (spec.ip() == network.gateway())
            {
                throw ControlException.invalid("IP " + Ipv4Address.toString(spec.ip()) + " is the gateway of network " + quote(network.name()));
            }
        }
        if (spec.hasMac() && spec.mac() == network.gatewayMac())
        {
            throw ControlException.invalid("MAC " + MacAddress.toString(spec.mac()) + " is the gateway MAC of network " + quote(network.name()));
        }
        final PortSpec existing = state.port(spec.name());
        if (existing != null)
        {
            throw ControlException.alreadyExists("port " + quote(spec.name()) + " is already attached to network " + quote(existing.network()));
        }
        for (final PortSpec other : state.portsOf(network.name()))
        {
            if (spec.hasIp() && other.ip() == spec.ip())
            {
                throw ControlException.alreadyExists("IP " + Ipv4Address.toString(spec.ip()) + " is already used by port " +
                    quote(other.name()) + " in network " + quote(network.name()));
            }
            if (spec.hasMac() && other.mac() == spec.mac())
            {
                throw ControlException.alreadyExists("MAC " + MacAddress.toString(spec.mac()) + " is already used by port " +
                    quote(other.name()) + " in network " + quote(network.name()));
            }
        }
        if (portIds.size() >= CounterLayout.MAX_PORTS)
        {
            throw new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "too many ports: at most " + CounterLayout.MAX_PORTS);
        }
        if (spec.kind() == PortKind.AF_PACKET && !opener.interfaceExists(spec.name()))
        {
            throw ControlException.notFound("interface " + quote(spec.name()) + " not found (use --tap to create a TAP device)");
        }
        return network;
    }

    private Port open(final PortSpec spec)
    {
        try
        {
            return spec.kind() == PortKind.TAP ?
                opener.openTap(spec.name(), dataplane.workerCount()) :
                opener.openAfPacket(spec.name(), dataplane.workerCount());
        }
        catch (final PortException e)
        {
            throw ControlException.precondition("cannot open interface " + quote(spec.name()) + ": " + oneLine(e.getMessage()));
        }
    }

    /** Detaches a port from the network it is attached to, and closes it. */
    public synchronized void detachPort(final String networkName, final String name)
    {
        network(networkName);
        final PortSpec port = state.port(name);
        if (port == null)
        {
            throw ControlException.notFound("port " + quote(name) + " not found in network " + quote(networkName));
        }
        if (!port.network().equals(networkName))
        {
            throw ControlException.notFound("port " + quote(name) + " is attached to network " + quote(port.network()) +
                ", not " + quote(networkName));
        }
        commit(state.withoutPort(name), () -> { });
        final Integer id = portIds.get(name);
        if (id != null)
        {
            forgetAttached(name, id);
        }
        downReasons.remove(name);
        LOG.info("port detached from network {}: {}", networkName, name);
    }

    /** The runtime facts of an attached port. */
    public synchronized PortStatus portStatus(final String name)
    {
        final String down = downReasons.get(name);
        final PortSpec spec = state.port(name);
        if (down != null && spec != null)
        {
            return new PortStatus(0, 0, effectiveMacLimit(spec, state.network(spec.network())), false, down);
        }
        final Integer id = portIds.get(name);
        final PortBinding binding = id == null ? null : dataplane.snapshot().port(id);
        if (binding == null)
        {
            throw ControlException.notFound("port " + quote(name) + " not found");
        }
        final NetworkState network = dataplane.snapshot().network(binding.network);
        return new PortStatus(binding.mtu, network.fdb.learnedOn(id), binding.macLimit, true, "");
    }

    /** The dataplane id of the attached port {@code name}, for trace and capture; NOT_FOUND if there is none. */
    public synchronized int portId(final String name)
    {
        final Integer id = portIds.get(name);
        if (id == null)
        {
            throw ControlException.notFound("port " + quote(name) + " not found");
        }
        return id;
    }

    /** The name of the port with dataplane id {@code id}, or {@code #id} once it is detached. */
    public synchronized String portName(final int id)
    {
        return portNames.getOrDefault(id, "#" + id);
    }

    /**
     * The dataplane, for diagnostics that observe it without changing its configuration (trace,
     * capture); configuration changes go through this class only.
     */
    public Dataplane dataplane()
    {
        return dataplane;
    }

    public synchronized int fdbSize(final String network)
    {
        return fdb(network).size();
    }

    /** A network's FDB, ordered by VLAN then MAC. */
    public synchronized List<FdbRow> fdbRows(final String network)
    {
        final List<FdbRow> rows = new ArrayList<>();
        for (final FdbTable.Entry entry : fdb(network).entries(MonotonicClock.nowMs()))
        {
            final String port = portNames.getOrDefault(entry.port(), "#" + entry.port());
            rows.add(new FdbRow(entry.mac(), entry.vlan(), port, entry.isStatic(), entry.ageMs()));
        }
        rows.sort(Comparator.comparingInt(FdbRow::vlan).thenComparingLong(FdbRow::mac));
        return rows;
    }

    /** Every port's counters, in attach order. */
    public synchronized List<PortCounters> portCounters()
    {
        final List<PortCounters> list = new ArrayList<>();
        for (final PortSpec port : state.ports())
        {
            list.add(portCounters(port.name(), port.network(), portIds.get(port.name())));
        }
        final UplinkSpec uplink = state.uplink();
        if (uplink != null)
        {
            // the uplink is a port too: its counters show what went out to and came in from the outside
            list.add(portCounters(uplink.interfaceName(), "uplink", uplinkRuntime == null ? null : uplinkRuntime.port()));
        }
        return list;
    }

    private PortCounters portCounters(final String name, final String network, final Integer id)
    {
        if (id == null)
        {
            return new PortCounters(name, network, 0, 0, 0, 0, 0, 0);
        }
        return new PortCounters(name, network,
            dataplane.portCounter(id, CounterLayout.PORT_RX_PACKETS),
            dataplane.portCounter(id, CounterLayout.PORT_RX_BYTES),
            dataplane.portCounter(id, CounterLayout.PORT_TX_PACKETS),
            dataplane.portCounter(id, CounterLayout.PORT_TX_BYTES),
            dataplane.portCounter(id, CounterLayout.PORT_RX_DROPS),
            dataplane.portCounter(id, CounterLayout.PORT_TX_DROPS));
    }

    /** Every named counter ({@code node.error}) whose sum over workers is not zero, by name. */
    public List<NamedCounter> nonZeroCounters()
    {
        final CounterLayout layout = dataplane.layout();
        final List<NamedCounter> list = new ArrayList<>();
        for (int error = 0; error < layout.errorCount(); error++)
        {
            final long value = dataplane.sum(error);
            if (value != 0)
            {
                list.add(new NamedCounter(layout.errorName(error), value));
            }
        }
        list.sort(Comparator.comparing(NamedCounter::name));
        return list;
    }

    public int workers()
    {
        return dataplane.workerCount();
    }

    public long workerErrors()
    {
        return dataplane.workerErrors();
    }

    /**
     * Replays a saved state on the empty dataplane at start-up: every network, then every port. A port whose
     * interface is missing or cannot be opened is kept as down; {@link #reconcile()} brings it up later.
     */
    public synchronized void restore(final DesiredState saved)
    {
        if (!state.networks().isEmpty())
        {
            throw new IllegalStateException("restore needs an empty controller");
        }
        for (final NetworkSpec network : saved.networks())
        {
            addToDataplane(network);
            state = state.withNetwork(network);
            LOG.info("network restored: {}", network);
        }
        if (saved.uplink() != null)
        {
            state = state.withUplink(saved.uplink());
            bringUplinkUp("restored");
        }
        for (final PortSpec port : saved.ports())
        {
            state = state.withPort(port);
            bringUp(port, "restored");
        }
        for (final ConnectionSpec connection : saved.connections())
        {
            dataplane.connectNetworks(networkIndexes.get(connection.network()), networkIndexes.get(connection.other()), true);
            state = state.withConnection(connection);
        }
        for (final PublishSpec publish : saved.published())
        {
            state = state.withPublished(publish);
        }
        for (final RuleSpec rule : saved.rules())
        {
            state = state.withRule(state.rules().size(), rule);
        }
        state = state.withNextRuleId(saved.nextRuleId());
        nat.publishedPorts(natPorts(state));
        nat.rules(natRules(state));
    }

    /**
     * Brings the ports in line with their interfaces: an AF_PACKET port whose interface disappeared (the
     * container was deleted) goes down, and a down port whose interface is there again comes back.
     * Called about once a second by the daemon's housekeeping thread.
     */
    public synchronized void reconcile()
    {
        for (final Map.Entry<String, Integer> entry : List.copyOf(interfaceIndexes.entrySet()))
        {
            final String name = entry.getKey();
            if (opener.interfaceIndex(name) != entry.getValue())
            {
                forgetAttached(name, portIds.get(name));
                downReasons.put(name, "interface disappeared");
                LOG.warn("port {} is down: its interface disappeared; it comes back when an interface of that name appears", name);
            }
        }
        for (final String name : List.copyOf(downReasons.keySet()))
        {
            final PortSpec port = state.port(name);
            if (port != null && (port.kind() == PortKind.TAP || opener.interfaceExists(name)))
            {
                bringUp(port, "back up");
            }
        }
        final UplinkSpec uplink = state.uplink();
        if (uplink != null && uplinkRuntime != null && opener.interfaceIndex(uplink.interfaceName()) != uplinkRuntime.interfaceIndex())
        {
            takeUplinkDown();
            uplinkDown = "interface disappeared";
            LOG.warn("uplink {} is down: its interface disappeared; it comes back when an interface of that name appears", uplink.interfaceName());
        }
        if (uplink != null && uplinkRuntime == null && opener.interfaceExists(uplink.interfaceName()))
        {
            bringUplinkUp("back up");
        }
    }

    private void bringUp(final PortSpec port, final String what)
    {
        final String before = downReasons.get(port.name());
        try
        {
            if (port.kind() == PortKind.AF_PACKET && !opener.interfaceExists(port.name()))
            {
                throw ControlException.notFound("interface not found");
            }
            attachToDataplane(port, state.network(port.network()));
            LOG.info("port {}: {}", what, port);
        }
        catch (final ControlException e)
        {
            downReasons.put(port.name(), e.getMessage());
            if (!e.getMessage().equals(before))
            {
                LOG.warn("port {} is down: {}", port.name(), e.getMessage());
            }
        }
    }

    // ---- uplink -------------------------------------------------------------------------------

    /**
     * Sets the uplink: checks it against the networks and ports, reads the interface's MAC, adds the
     * uplink network and attaches the interface to it; on any failure nothing stays.
     */
    public synchronized UplinkSpec setUplink(final UplinkSpec spec)
    {
        Inputs.interfaceName(spec.interfaceName());
        final Cidr subnet = spec.subnet();
        checkInside(subnet, spec.address(), "uplink address " + Ipv4Address.toString(spec.address()));
        checkInside(subnet, spec.gateway(), "uplink gateway " + Ipv4Address.toString(spec.gateway()));
        if (spec.gateway() == spec.address())
        {
            throw ControlException.invalid("uplink gateway " + Ipv4Address.toString(spec.gateway()) + " is the uplink address itself");
        }
        final UplinkSpec existing = state.uplink();
        if (existing != null)
        {
            throw ControlException.alreadyExists("an uplink is set already (" + existing + "); remove it first (wharf uplink rm)");
        }
        final PortSpec port = state.port(spec.interfaceName());
        if (port != null)
        {
            throw ControlException.precondition("interface " + quote(spec.interfaceName()) + " is a port of network " + quote(port.network()));
        }
        for (final NetworkSpec network : state.networks())
        {
            if (network.subnet().overlaps(subnet))
            {
                throw ControlException.precondition("uplink subnet " + subnet + " overlaps network " + quote(network.name()) +
                    " (" + network.subnet() + ")");
            }
        }
        if (!opener.interfaceExists(spec.interfaceName()))
        {
            throw ControlException.notFound("interface " + quote(spec.interfaceName()) + " not found");
        }
        attachUplink(spec);
        commit(state.withUplink(spec), this::takeUplinkDown);
        uplinkDown = null;
        LOG.info("uplink set: {}", spec);
        return spec;
    }

    /** Removes the uplink; refused while ports are published on its address. */
    public synchronized void removeUplink()
    {
        final UplinkSpec uplink = state.uplink();
        if (uplink == null)
        {
            throw ControlException.notFound("no uplink is set");
        }
        final List<PublishSpec> bound = state.published().stream().filter(p -> p.hostIp() == uplink.address()).toList();
        if (!bound.isEmpty())
        {
            throw ControlException.precondition("ports are published on the uplink address (" +
                String.join(", ", bound.stream().map(PublishSpec::hostText).toList()) + "); remove them first (wharf publish rm)");
        }
        commit(state.withUplink(null), () -> { });
        takeUplinkDown();
        uplinkDown = null;
        LOG.info("uplink removed: {}", uplink);
    }

    /** The uplink with its runtime facts, or null when none is set. */
    public synchronized UplinkStatus uplinkStatus()
    {
        final UplinkSpec uplink = state.uplink();
        if (uplink == null)
        {
            return null;
        }
        if (uplinkRuntime == null)
        {
            return new UplinkStatus(uplink, -1, false, uplinkDown == null ? "not attached" : uplinkDown, NeighbourTable.MISSING, 0);
        }
        final NetworkState network = dataplane.snapshot().network(uplinkRuntime.network());
        final int[] neighbours = new int[1];
        network.neighbours.forEach((ip, mac, updatedMs) -> neighbours[0]++);
        return new UplinkStatus(uplink, uplinkRuntime.mac(), true, "", network.neighbours.lookup(uplink.gateway()), neighbours[0]);
    }

    /** Adds the uplink network and attaches its interface; leaves nothing behind when that fails. */
    private void attachUplink(final UplinkSpec spec)
    {
        final int interfaceIndex = opener.interfaceIndex(spec.interfaceName());
        final long mac = opener.interfaceMac(spec.interfaceName());
        if (mac < 0)
        {
            throw ControlException.precondition("cannot read the MAC of interface " + quote(spec.interfaceName()));
        }
        final int network;
        try
        {
            network = dataplane.addUplink(UPLINK_NETWORK, spec.address(), spec.prefixLength(), mac, spec.gateway());
        }
        catch (final IllegalArgumentException e)
        {
            throw ControlException.precondition("cannot add the uplink: " + e.getMessage());
        }
        final Port port;
        try
        {
            port = opener.openAfPacket(spec.interfaceName(), dataplane.workerCount());
        }
        catch (final PortException e)
        {
            dataplane.removeNetwork(network);
            throw ControlException.precondition("cannot open interface " + quote(spec.interfaceName()) + ": " + oneLine(e.getMessage()));
        }
        final int id;
        try
        {
            id = dataplane.attachPort(network, port, false, 0, new int[0], 0);
        }
        catch (final RuntimeException e)
        {
            port.close();
            dataplane.removeNetwork(network);
            throw e instanceof IllegalStateException ?
                new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "cannot attach the uplink: " + e.getMessage()) : e;
        }
        uplinkRuntime = new UplinkRuntime(network, id, interfaceIndex, mac);
        portNames.put(id, spec.interfaceName());
    }

    private void takeUplinkDown()
    {
        final UplinkRuntime runtime = uplinkRuntime;
        if (runtime != null)
        {
            uplinkRuntime = null;
            portNames.remove(runtime.port());
            dataplane.detachPort(runtime.port());
            dataplane.removeNetwork(runtime.network());
        }
    }

    private void bringUplinkUp(final String what)
    {
        final UplinkSpec uplink = state.uplink();
        final String before = uplinkDown;
        try
        {
            if (!opener.interfaceExists(uplink.interfaceName()))
            {
                throw ControlException.notFound("interface not found");
            }
            attachUplink(uplink);
            uplinkDown = null;
            LOG.info("uplink {}: {}", what, uplink);
        }
        catch (final ControlException e)
        {
            uplinkDown = e.getMessage();
            if (!e.getMessage().equals(before))
            {
                LOG.warn("uplink {} is down: {}", uplink.interfaceName(), e.getMessage());
            }
        }
    }

    // ---- connections between networks -------------------------------------------------------

    /** Allows routing between two networks. */
    public synchronized void connectNetworks(final String a, final String b)
    {
        network(a);
        network(b);
        if (a.equals(b))
        {
            throw ControlException.invalid("cannot connect network " + quote(a) + " to itself");
        }
        if (state.connections().stream().anyMatch(c -> c.joins(a, b)))
        {
            throw ControlException.alreadyExists("networks " + quote(a) + " and " + quote(b) + " are connected already");
        }
        final int first = networkIndexes.get(a);
        final int second = networkIndexes.get(b);
        dataplane.connectNetworks(first, second, true);
        commit(state.withConnection(new ConnectionSpec(a, b)), () -> dataplane.connectNetworks(first, second, false));
        LOG.info("networks connected: {} <-> {}", a, b);
    }

    /** Isolates two connected networks again. */
    public synchronized void disconnectNetworks(final String a, final String b)
    {
        network(a);
        network(b);
        if (state.connections().stream().noneMatch(c -> c.joins(a, b)))
        {
            throw ControlException.notFound("networks " + quote(a) + " and " + quote(b) + " are not connected");
        }
        final int first = networkIndexes.get(a);
        final int second = networkIndexes.get(b);
        dataplane.connectNetworks(first, second, false);
        commit(state.withoutConnection(a, b), () -> dataplane.connectNetworks(first, second, true));
        LOG.info("networks disconnected: {} <-> {}", a, b);
    }

    // ---- published ports --------------------------------------------------------------------

    /** Publishes a container's port on a host address (or all, {@link PublishSpec#ANY_HOST}). */
    public synchronized PublishSpec publish(final PublishSpec spec)
    {
        final NetworkSpec network = network(spec.network());
        checkPort(spec.containerPort(), "container port");
        checkPort(spec.hostPort(), "host port");
        if (!spec.protocol().hasPorts())
        {
            throw ControlException.invalid("protocol " + quote(spec.protocol().label()) + " cannot be published: use tcp or udp");
        }
        checkInside(network.subnet(), spec.containerIp(), "container IP " + Ipv4Address.toString(spec.containerIp()));
        if (spec.containerIp() == network.gateway())
        {
            throw ControlException.invalid("container IP " + Ipv4Address.toString(spec.containerIp()) + " is the gateway of network " +
                quote(network.name()));
        }
        if (spec.hostIp() != PublishSpec.ANY_HOST && !isHostAddress(spec.hostIp()))
        {
            throw ControlException.invalid("host IP " + Ipv4Address.toString(spec.hostIp()) +
                " is neither the uplink address nor a network's gateway");
        }
        if (network.internal())
        {
            throw ControlException.precondition("network " + quote(network.name()) + " is internal: nothing outside can reach it");
        }
        for (final PublishSpec other : state.published())
        {
            if (other.conflictsWith(spec.hostIp(), spec.hostPort(), spec.protocol()))
            {
                throw ControlException.alreadyExists("port " + spec.hostText() + " is already published (" + other + ")");
            }
        }
        final DesiredState next = state.withPublished(spec);
        applyPublished(next);
        commit(next, () -> nat.publishedPorts(natPorts(state)));
        LOG.info("port published: {}", spec);
        return spec;
    }

    /**
     * Stops publishing the port {@code hostPort/protocol} of {@code network}, on {@code hostIp} or,
     * with {@link PublishSpec#ANY_HOST}, on whichever address it is published.
     */
    public synchronized PublishSpec unpublish(final String networkName, final int hostIp, final int hostPort, final Protocol protocol)
    {
        network(networkName);
        final PublishSpec found = state.published().stream()
            .filter(p -> p.network().equals(networkName) && p.hostPort() == hostPort && p.protocol() == protocol &&
                (hostIp == PublishSpec.ANY_HOST || p.hostIp() == hostIp))
            .findFirst()
            .orElseThrow(() -> ControlException.notFound("port " + (hostIp == PublishSpec.ANY_HOST ? "" : Ipv4Address.toString(hostIp) + ":") +
                hostPort + "/" + protocol.label() + " is not published to network " + quote(networkName)));
        final DesiredState next = state.withoutPublished(found);
        applyPublished(next);
        commit(next, () -> nat.publishedPorts(natPorts(state)));
        LOG.info("port unpublished: {}", found);
        return found;
    }

    private void applyPublished(final DesiredState next)
    {
        try
        {
            nat.publishedPorts(natPorts(next));
        }
        catch (final UnsupportedOperationException e)
        {
            throw ControlException.precondition("this daemon cannot publish ports: " + e.getMessage());
        }
    }

    private boolean isHostAddress(final int address)
    {
        if (state.uplink() != null && state.uplink().address() == address)
        {
            return true;
        }
        return state.networks().stream().anyMatch(n -> n.gateway() == address);
    }

    private List<PublishedPort> natPorts(final DesiredState desired)
    {
        final List<PublishedPort> list = new ArrayList<>();
        for (final PublishSpec p : desired.published())
        {
            final Integer index = networkIndexes.get(p.network());
            if (index != null)
            {
                list.add(new PublishedPort(p.hostIp(), p.hostPort(), p.protocol().number(), index, p.containerIp(), p.containerPort()));
            }
        }
        return list;
    }

    // ---- user rules ---------------------------------------------------------------------------

    /**
     * Adds a rule at {@code position} (1 is checked first; 0 appends), with the next id.
     *
     * @return the rule as added.
     */
    public synchronized RuleSpec addRule(
        final boolean allow, final Cidr source, final Cidr destination, final Protocol protocol, final int portFrom, final int portTo,
        final int position)
    {
        final int size = state.rules().size();
        if (position < 0 || position > size + 1)
        {
            throw ControlException.invalid("position " + position + " is out of range 1.." + (size + 1));
        }
        if (portTo != 0)
        {
            if (!protocol.hasPorts())
            {
                throw ControlException.invalid("destination ports need protocol tcp or udp, not " + protocol.label());
            }
            checkPort(portFrom, "destination port");
            checkPort(portTo, "destination port");
            if (portFrom > portTo)
            {
                throw ControlException.invalid("destination port range " + portFrom + "-" + portTo + " is backwards");
            }
        }
        final RuleSpec rule = new RuleSpec(state.nextRuleId(), allow, source, destination, protocol, portFrom, portTo);
        final DesiredState next = state.withRule(position == 0 ? size : position - 1, rule);
        applyRules(next);
        commit(next, () -> nat.rules(natRules(state)));
        LOG.info("rule added: {}", rule);
        return rule;
    }

    public synchronized void removeRule(final long id)
    {
        final RuleSpec rule = state.rules().stream().filter(r -> r.id() == id).findFirst()
            .orElseThrow(() -> ControlException.notFound("rule " + Long.toUnsignedString(id) + " not found"));
        final DesiredState next = state.withoutRule(id);
        applyRules(next);
        commit(next, () -> nat.rules(natRules(state)));
        LOG.info("rule removed: {}", rule);
    }

    private void applyRules(final DesiredState next)
    {
        try
        {
            nat.rules(natRules(next));
        }
        catch (final UnsupportedOperationException e)
        {
            throw ControlException.precondition("this daemon cannot apply rules: " + e.getMessage());
        }
    }

    private static List<UserRule> natRules(final DesiredState desired)
    {
        final List<UserRule> list = new ArrayList<>();
        for (final RuleSpec r : desired.rules())
        {
            list.add(new UserRule(r.allow(), r.source().network(), r.source().prefixLength(), r.destination().network(),
                r.destination().prefixLength(), r.protocol().number(), r.portFrom(), r.portTo()));
        }
        return list;
    }

    // ---- connection tracking ----------------------------------------------------------------

    /** Up to {@code limit} tracked connections, their networks named. */
    public synchronized List<ConnectionRow> connections(final int limit)
    {
        final List<ConnectionRow> rows = new ArrayList<>();
        for (final FlowView flow : conntrack(() -> nat.list(limit)))
        {
            rows.add(new ConnectionRow(flow, zoneName(flow.originalZone()), zoneName(flow.replyZone())));
        }
        return rows;
    }

    public int connectionCount()
    {
        return conntrack(nat::count);
    }

    public int connectionMax()
    {
        return nat.max();
    }

    public int flushConnections()
    {
        final int flushed = conntrack(nat::flush);
        LOG.info("connection tracking flushed: {} connections", flushed);
        return flushed;
    }

    public List<NatFailure> connectionFailures()
    {
        return conntrack(nat::recentFailures);
    }

    /** Every counter of the NAT feature's nodes, zeros included, by name. */
    public List<NamedCounter> natCounters()
    {
        final CounterLayout layout = dataplane.layout();
        final List<NamedCounter> list = new ArrayList<>();
        for (int error = 0; error < layout.errorCount(); error++)
        {
            final String name = layout.errorName(error);
            if (nat.ownsCounter(name))
            {
                list.add(new NamedCounter(name, dataplane.sum(error)));
            }
        }
        list.sort(Comparator.comparing(NamedCounter::name));
        return list;
    }

    private static <T> T conntrack(final java.util.function.Supplier<T> call)
    {
        try
        {
            return call.get();
        }
        catch (final UnsupportedOperationException e)
        {
            throw ControlException.precondition("connection tracking is not available in this daemon: " + e.getMessage());
        }
    }

    /** The name of dataplane network {@code index}: a user network's, {@value #UPLINK_NETWORK}, or {@code #index}. */
    private String zoneName(final int index)
    {
        if (uplinkRuntime != null && uplinkRuntime.network() == index)
        {
            return UPLINK_NETWORK;
        }
        for (final Map.Entry<String, Integer> entry : networkIndexes.entrySet())
        {
            if (entry.getValue() == index)
            {
                return entry.getKey();
            }
        }
        return "#" + index;
    }

    private static NetworkPolicy policy(final NetworkSpec network)
    {
        return new NetworkPolicy(network.internal(), network.icc());
    }

    private static void checkPort(final int port, final String what)
    {
        if (port < 1 || port > 65_535)
        {
            throw ControlException.invalid(what + " " + Integer.toUnsignedString(port) + " is out of range 1..65535");
        }
    }

    private void addToDataplane(final NetworkSpec network)
    {
        final int index = dataplane.addNetwork(network.name(), network.subnet().network(), network.subnet().prefixLength(),
            network.gateway(), network.gatewayMac(), policy(network));
        nat.masquerade(index, network.masquerade());
        networkIndexes.put(network.name(), index);
    }

    /** Persists {@code next} and makes it the state; when it cannot be written, undoes the dataplane change and refuses. */
    private void commit(final DesiredState next, final Runnable undo)
    {
        if (store != null)
        {
            try
            {
                store.save(next);
            }
            catch (final StateFileException e)
            {
                undo.run();
                throw new ControlException(ControlException.Reason.UNAVAILABLE, "cannot save the state: " + oneLine(e.getMessage()));
            }
        }
        state = next;
    }

    private FdbTable fdb(final String network)
    {
        network(network);
        return dataplane.snapshot().network(networkIndexes.get(network)).fdb;
    }

    private int effectiveMacLimit(final PortSpec port, final NetworkSpec network)
    {
        return port.macLimit() > 0 ? port.macLimit() : network.macLimit();
    }

    private void checkMacLimit(final int macLimit)
    {
        final int max = dataplane.configuration().fdbMaxEntries();
        if (macLimit < 0 || macLimit > max)
        {
            throw ControlException.invalid("MAC limit " + Integer.toUnsignedString(macLimit) + " is out of range 1.." + max);
        }
    }

    private static void checkInside(final Cidr subnet, final int address, final String what)
    {
        if (!subnet.contains(address))
        {
            throw ControlException.invalid(what + " is outside the subnet " + subnet);
        }
        if (address == subnet.network())
        {
            throw ControlException.invalid(what + " is the network address of " + subnet);
        }
        if (address == subnet.broadcast())
        {
            throw ControlException.invalid(what + " is the broadcast address of " + subnet);
        }
    }

    private static String oneLine(final String message)
    {
        return message == null ? "unknown error" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
