package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.io.PortException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The ports of the {@link NetworkSection}, applied to the {@link Dataplane}: attach (open the
 * interface, attach it, add its static MAC), detach, and each port's runtime facts. A port whose
 * interface is missing stays in the desired state as down; the {@link PortReconciler} brings it up
 * when the interface appears and takes it down when it goes. The port ids are kept in the shared
 * {@link IdMap}. A network with ports attached cannot be removed ({@link NetworkController.Dependent}).
 *
 * <p>Thread safety: every method takes the {@link StateTransaction}'s lock; gRPC executor threads
 * and the reconciler's. Changes never wait on workers while holding anything they need: detaching
 * waits for workers to drop the port, which they do from the snapshot alone.
 */
public final class PortController implements NetworkController.Dependent, PortRows
{
    private static final Logger LOG = LoggerFactory.getLogger(PortController.class);
    /** The administratively-up bit of an interface's flags. */
    private static final int IFF_UP = 0x1;

    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dataplane dataplane;
    private final PortOpener opener;
    private final NetworkController networks;
    private final PortSpecRules rules;
    private final PortReconciler reconciler;
    private final List<Dependent> dependents = new ArrayList<>();
    private AddressClaims claims;
    /** What could not be set to keep the host kernel out of an open port's interface, by port name; absent when all was. */
    private final Map<String, String> hostKernelProblems = new HashMap<>();

    /**
     * Keeps the addresses of ports on networks shared with other hosts unique across the cluster (cluster-wide
     * IPAM): allocates one for a port asked for without, claims the one asked for. Called under the lock.
     */
    public interface AddressClaims
    {
        /** {@code port} with its address claimed for it (allocated when it had none); ALREADY_EXISTS when another host holds it. */
        PortSpec claim(PortSpec port);

        /** {@code port} (as {@link #claim} returned it) is gone or was never attached: its address is free again. */
        void release(PortSpec port);
    }

    /**
     * A feature that holds interfaces of its own and may refuse a port on one of them (the uplink);
     * a refusal throws {@link ControlException}. Called under the lock.
     */
    public interface Dependent
    {
        /** Before {@code port} is attached, after the ports' own checks. */
        void checkAttach(PortSpec port);
    }

    /**
     * A port's runtime facts next to its desired state: {@code up} while it can forward, false while
     * it is out of the dataplane (its interface missing) or its link is down.
     */
    public record PortStatus(int mtu, int learnedMacs, int macLimit, boolean up, String downReason, String hostKernelProblem)
    {
    }

    /** A port as desired with its runtime facts. */
    public record PortView(PortSpec spec, PortStatus status)
    {
    }

    /** A network with its ports, read as one state. */
    public record NetworkDetail(NetworkController.NetworkView network, List<PortView> ports)
    {
    }

    public PortController(
        final StateTransaction transaction, final IdMap ids, final Dataplane dataplane, final PortOpener opener, final NetworkController networks)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dataplane = dataplane;
        this.opener = opener;
        this.networks = networks;
        this.rules = new PortSpecRules(networks);
        this.reconciler = new PortReconciler(this, opener);
        networks.register(this);
    }

    /** Asks {@code dependent} before every attach from now on; at assembly. */
    public void register(final Dependent dependent)
    {
        transaction.locked(() -> dependents.add(dependent));
    }

    /** Claims ports' addresses through {@code claims} from now on; at assembly, once. */
    public void claimAddressesThrough(final AddressClaims claims)
    {
        transaction.locked(() ->
        {
            if (this.claims != null)
            {
                throw new IllegalStateException("addresses are claimed already");
            }
            this.claims = claims;
        });
    }

    @Override
    public void checkRemove(final String name)
    {
        final List<PortSpec> ports = transaction.section(NetworkSection.KEY).portsOf(name);
        if (!ports.isEmpty())
        {
            throw ControlException.precondition("network " + quote(name) + " has " + ports.size() +
                (ports.size() == 1 ? " port" : " ports") + " attached (" + String.join(", ", ports.stream().map(PortSpec::name).toList()) +
                "); detach them first");
        }
    }

    /**
     * Opens the port's interface and attaches it; the port with its status. The interface is opened
     * last among the checks and closed again if the dataplane refuses it, so a refusal leaves no open
     * port behind.
     */
    public PortView attach(final PortSpec request)
    {
        return transaction.locked(() ->
        {
            checkAttach(request);
            final PortSpec spec = claims == null ? request : claims.claim(request);
            try
            {
                final NetworkSpec network = spec == request ? networks.network(spec.network()) : checkAttach(spec);
                final int id = attachToDataplane(spec, network);
                transaction.commit(transaction.section(NetworkSection.KEY).withPort(spec).in(transaction.state()),
                    () -> forgetAttached(spec.name(), id));
                LOG.info("port attached to network {}: {}", network.name(), spec);
                return new PortView(spec, status(spec.name()));
            }
            catch (final RuntimeException e)
            {
                if (claims != null)
                {
                    claims.release(spec);
                }
                throw e;
            }
        });
    }

    /** Detaches a port from the network it is attached to, and closes it. */
    public void detach(final String networkName, final String name)
    {
        transaction.locked(() ->
        {
            networks.network(networkName);
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            final PortSpec port = section.port(name);
            if (port == null)
            {
                throw ControlException.notFound("port " + quote(name) + " not found in network " + quote(networkName));
            }
            if (!port.network().equals(networkName))
            {
                throw ControlException.notFound("port " + quote(name) + " is attached to network " + quote(port.network()) +
                    ", not " + quote(networkName));
            }
            transaction.commit(section.withoutPort(name).in(transaction.state()), () -> { });
            final Integer id = ids.port(name);
            if (id != null)
            {
                forgetAttached(name, id);
            }
            reconciler.forget(name);
            if (claims != null)
            {
                claims.release(port);
            }
            LOG.info("port detached from network {}: {}", networkName, name);
        });
    }

    /** The runtime facts of a port of the desired state, or NOT_FOUND. */
    public PortStatus status(final String name)
    {
        return transaction.locked(() ->
        {
            final String down = reconciler.downReason(name);
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            final PortSpec spec = section.port(name);
            if (down != null && spec != null)
            {
                return new PortStatus(0, 0, effectiveMacLimit(spec, section.network(spec.network())), false, down, "");
            }
            final Integer id = ids.port(name);
            final PortBinding binding = id == null ? null : dataplane.snapshot().port(id);
            if (binding == null)
            {
                throw ControlException.notFound("port " + quote(name) + " not found");
            }
            final NetworkState network = dataplane.snapshot().network(binding.network);
            final String linkDown = linkDownReason(opener.operState(name), opener.interfaceFlags(name));
            return new PortStatus(binding.mtu, network.fdb.learnedOn(id), binding.macLimit, linkDown == null, linkDown == null ? "" : linkDown,
                hostKernelProblems.getOrDefault(name, ""));
        });
    }

    /**
     * Why a port whose interface reports {@code operState} (and {@code flags}, -1 when unknown) cannot
     * carry frames, or null when it can. The port stays attached: it forwards again as soon as the
     * link comes up. "unknown" (a driver that does not track it, a TAP device on older kernels) and
     * an unreadable state count as up, since frames may well pass. A veth whose peer is down reports
     * "lowerlayerdown" when the peer is in the same namespace and "down" when it is in a container's.
     */
    static String linkDownReason(final String operState, final int flags)
    {
        return switch (operState)
        {
            case "down", "lowerlayerdown" -> flags >= 0 && (flags & IFF_UP) == 0 ?
                "link down: the interface is set down" : "link down: no carrier (a veth whose peer is down)";
            case "notpresent" -> "link not present";
            case "dormant" -> "link dormant";
            default -> null;
        };
    }

    /** Every port, or those of the network {@code network} when it is not empty (NOT_FOUND if there is none), with their status. */
    public List<PortView> list(final String network)
    {
        return transaction.locked(() ->
        {
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            final List<PortSpec> ports = network.isEmpty() ? section.ports() : section.portsOf(networks.network(network).name());
            return views(ports);
        });
    }

    /** The network {@code name} with its ports and their status, or NOT_FOUND. */
    public NetworkDetail inspect(final String name)
    {
        return transaction.locked(() ->
        {
            final NetworkController.NetworkView network = networks.view(name);
            return new NetworkDetail(network, views(transaction.section(NetworkSection.KEY).portsOf(name)));
        });
    }

    private List<PortView> views(final List<PortSpec> ports)
    {
        final List<PortView> views = new ArrayList<>();
        for (final PortSpec port : ports)
        {
            views.add(new PortView(port, status(port.name())));
        }
        return views;
    }

    /**
     * The dataplane id of the attached port {@code name}, for trace and capture: a user's port or one a
     * feature owns (the uplink's interface, which listings name too); NOT_FOUND if there is none.
     */
    public int portId(final String name)
    {
        return transaction.locked(() ->
        {
            final Integer id = ids.observablePort(name);
            if (id == null)
            {
                throw ControlException.notFound("port " + quote(name) + " not found");
            }
            return id;
        });
    }

    /** The name of the port with dataplane id {@code id} (the uplink's too), or {@code #id} once it is detached. */
    public String portName(final int id)
    {
        return transaction.locked(() -> ids.portName(id));
    }

    @Override
    public void addPortRows(final List<PortRow> rows)
    {
        for (final PortSpec port : transaction.section(NetworkSection.KEY).ports())
        {
            rows.add(new PortRow(port.name(), port.network(), port.kind().label(), ids.port(port.name())));
        }
    }

    /** Replays the saved ports on the dataplane, whose networks are there already; a port that cannot come up is kept as down. */
    void restore(final DesiredState saved)
    {
        transaction.locked(() ->
        {
            for (final PortSpec port : NetworkSection.of(saved).ports())
            {
                transaction.adopt(transaction.section(NetworkSection.KEY).withPort(port).in(transaction.state()));
                reconciler.bringUp(port, "restored");
            }
        });
    }

    /** Brings the ports in line with their interfaces ({@link PortReconciler}). */
    void reconcile()
    {
        transaction.locked(reconciler::reconcile);
    }

    NetworkSpec networkOf(final PortSpec port)
    {
        return transaction.section(NetworkSection.KEY).network(port.network());
    }

    PortSpec desired(final String name)
    {
        return transaction.section(NetworkSection.KEY).port(name);
    }

    private NetworkSpec checkAttach(final PortSpec spec)
    {
        final NetworkSpec network = rules.checkPort(transaction.section(NetworkSection.KEY), spec);
        dependents.forEach(d -> d.checkAttach(spec));
        if (ids.portCount() >= CounterLayout.MAX_PORTS)
        {
            throw new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "too many ports: at most " + CounterLayout.MAX_PORTS);
        }
        if (spec.kind() == PortKind.AF_PACKET && !opener.interfaceExists(spec.name()))
        {
            throw ControlException.notFound("interface " + quote(spec.name()) + " not found (use --tap to create a TAP device)");
        }
        return network;
    }

    /** The API's checks of the ports of a saved state; see {@link PortSpecRules#check}. */
    void check(final DesiredState saved)
    {
        rules.check(saved);
    }

    /** Opens the port and puts it in the dataplane with its static MAC; on any failure nothing stays open. */
    int attachToDataplane(final PortSpec spec, final NetworkSpec network)
    {
        final int interfaceIndex = spec.kind() == PortKind.AF_PACKET ? opener.interfaceIndex(spec.name()) : -1;
        final Port port = open(spec);
        final int id;
        try
        {
            id = dataplane.attachPort(ids.network(network.name()), port, spec.isTrunk(), spec.vlan(),
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
                networks.fdb(network.name()).addStatic(spec.mac(), spec.untaggedVlan(), id);
            }
            catch (final RuntimeException e)
            {
                dataplane.detachPort(id); // nothing half-applied: the port goes again (and is closed)
                throw e;
            }
        }
        if (spec.portSecurity())
        {
            final long mac = spec.hasMac() ? spec.mac() : opener.interfaceMac(spec.name());
            if (mac <= 0)
            {
                dataplane.detachPort(id);
                throw ControlException.invalid("--port-security needs --mac: the MAC of " + quote(spec.name()) + " cannot be read");
            }
            dataplane.setPortSecurity(id, mac, spec.ip());
        }
        ids.addPort(spec.name(), id);
        reconciler.attached(spec.name(), interfaceIndex);
        return id;
    }

    /**
     * Takes the attached port {@code name} out of the dataplane and forgets its id. The dataplane closes it
     * once every worker has moved past it: at once as a rule, later when a worker is late.
     */
    void forgetAttached(final String name, final int id)
    {
        ids.removePort(name, id);
        hostKernelProblems.remove(name);
        reconciler.detached(name);
        if (!dataplane.detachPort(id))
        {
            LOG.warn("port {} detached; a worker has not let go of it yet, so it is closed when that worker moves on", name);
        }
    }

    Integer attachedId(final String name)
    {
        return ids.port(name);
    }

    private Port open(final PortSpec spec)
    {
        final Port port;
        try
        {
            port = spec.kind() == PortKind.TAP ?
                opener.openTap(spec.name(), dataplane.workerCount()) :
                opener.openAfPacket(spec.name(), dataplane.workerCount());
        }
        catch (final PortException e)
        {
            throw ControlException.precondition("cannot open interface " + quote(spec.name()) + ": " + Inputs.oneLine(e.getMessage()));
        }
        final List<String> problems = opener.keepKernelOut(spec.name());
        if (problems.isEmpty())
        {
            hostKernelProblems.remove(spec.name());
        }
        else
        {
            hostKernelProblems.put(spec.name(), String.join("; ", problems));
            LOG.warn("port {}: the host kernel is not kept out of its interface: {}", spec.name(), String.join("; ", problems));
        }
        return port;
    }

    private static int effectiveMacLimit(final PortSpec port, final NetworkSpec network)
    {
        return port.macLimit() > 0 ? port.macLimit() : network.macLimit();
    }
}
