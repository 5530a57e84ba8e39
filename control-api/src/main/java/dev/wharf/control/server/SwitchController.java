package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.StateFileException;
import dev.wharf.control.state.StateStore;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.l2.FdbTable;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.io.PortException;
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
 * Changes never wait on workers while holding anything they need: detaching waits for workers to
 * drop the port, which they do from the snapshot alone.
 */
public final class SwitchController
{
    private static final Logger LOG = LoggerFactory.getLogger(SwitchController.class);

    private final Dataplane dataplane;
    private final PortOpener opener;
    private final StateStore store;
    private DesiredState state = DesiredState.EMPTY;
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

    /** A controller that keeps its state in memory only (tests). */
    public SwitchController(final Dataplane dataplane, final PortOpener opener)
    {
        this(dataplane, opener, null);
    }

    /** @param store where every accepted change is persisted, or null to keep it in memory only. */
    public SwitchController(final Dataplane dataplane, final PortOpener opener, final StateStore store)
    {
        this.dataplane = dataplane;
        this.opener = opener;
        this.store = store;
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
        final NetworkSpec spec = new NetworkSpec(name, subnet, gatewayIp, GatewayMacs.derive(name, takenMacs), macLimit);
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
            final Integer id = portIds.get(port.name());
            if (id == null)
            {
                list.add(new PortCounters(port.name(), port.network(), 0, 0, 0, 0, 0, 0));
                continue;
            }
            list.add(new PortCounters(port.name(), port.network(),
                dataplane.portCounter(id, CounterLayout.PORT_RX_PACKETS),
                dataplane.portCounter(id, CounterLayout.PORT_RX_BYTES),
                dataplane.portCounter(id, CounterLayout.PORT_TX_PACKETS),
                dataplane.portCounter(id, CounterLayout.PORT_TX_BYTES),
                dataplane.portCounter(id, CounterLayout.PORT_RX_DROPS),
                dataplane.portCounter(id, CounterLayout.PORT_TX_DROPS)));
        }
        return list;
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
        for (final PortSpec port : saved.ports())
        {
            state = state.withPort(port);
            bringUp(port, "restored");
        }
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

    private void addToDataplane(final NetworkSpec network)
    {
        final int index = dataplane.addNetwork(network.name(), network.subnet().network(), network.subnet().prefixLength(),
            network.gateway(), network.gatewayMac());
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
