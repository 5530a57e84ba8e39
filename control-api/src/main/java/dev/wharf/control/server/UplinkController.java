package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.SectionKey;
import dev.wharf.control.state.UplinkSection;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.io.PortException;
import io.grpc.BindableService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The uplink feature: the {@link UplinkSection}, applied to the {@link Dataplane} as a network of
 * its own, kept apart from the user's networks. The uplink network is added with its port when its
 * interface is there and removed with it when the interface goes (its MAC is the interface's, which
 * a new interface of the same name may not share). A user network may not overlap the uplink's
 * subnet ({@link NetworkController.Dependent}); features that use the uplink's address register a
 * {@link Dependent} and may refuse its removal.
 *
 * <p>Thread safety: every method takes the {@link StateTransaction}'s lock; gRPC executor threads
 * and the reconciler's.
 */
public final class UplinkController implements Feature, NetworkController.Dependent, PortController.Dependent, PortRows
{
    /** The name the uplink's network has in the dataplane and in listings. */
    public static final String UPLINK_NETWORK = "uplink";

    private static final Logger LOG = LoggerFactory.getLogger(UplinkController.class);

    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dataplane dataplane;
    private final PortOpener opener;
    private final List<Dependent> dependents = new ArrayList<>();
    /** The uplink in the dataplane now; null when down or unset. */
    private Runtime runtime;
    /** Why the uplink of the desired state is not in the dataplane; null when it is (or none is set). */
    private String downReason;

    /** A feature that uses the uplink; a refusal throws {@link ControlException}. Called under the lock. */
    public interface Dependent
    {
        /** Before {@code uplink} is removed. */
        void checkRemove(UplinkSpec uplink);

        /** After {@code uplink} was removed. */
        default void onRemoved(final UplinkSpec uplink)
        {
        }
    }

    /** The uplink's runtime facts next to its desired state. */
    public record UplinkStatus(UplinkSpec spec, long mac, boolean up, String downReason, long gatewayMac, int neighbours)
    {
    }

    /** The uplink in the dataplane: its network index, port id, interface index and MAC. */
    private record Runtime(int network, int port, int interfaceIndex, long mac)
    {
    }

    public UplinkController(
        final StateTransaction transaction, final IdMap ids, final Dataplane dataplane, final PortOpener opener,
        final NetworkController networks, final PortController ports)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dataplane = dataplane;
        this.opener = opener;
        networks.register(this);
        ports.register(this);
    }

    /** Asks {@code dependent} before every removal of the uplink from now on; at assembly. */
    public void register(final Dependent dependent)
    {
        transaction.locked(() -> dependents.add(dependent));
    }

    @Override
    public List<SectionKey<?>> sections()
    {
        return List.of(UplinkSection.KEY);
    }

    @Override
    public List<BindableService> services()
    {
        return List.<BindableService>of(new UplinkService(this));
    }

    @Override
    public void checkCreate(final Cidr subnet)
    {
        final UplinkSpec uplink = UplinkSection.of(transaction.state());
        if (uplink != null && uplink.subnet().overlaps(subnet))
        {
            throw ControlException.precondition("subnet " + subnet + " overlaps the uplink's (" + uplink.subnet() + ")");
        }
    }

    /** The uplink's interface is the uplink's alone: a port on it would send a network's traffic out unrouted. */
    @Override
    public void checkAttach(final PortSpec port)
    {
        final UplinkSpec uplink = UplinkSection.of(transaction.state());
        if (uplink != null && uplink.interfaceName().equals(port.name()))
        {
            throw ControlException.precondition("interface " + quote(port.name()) + " is the uplink (address " + uplink.addressText() +
                "); a port cannot use it (remove the uplink first: wharf uplink rm)");
        }
    }

    @Override
    public void addPortRows(final List<PortRow> rows)
    {
        final UplinkSpec uplink = UplinkSection.of(transaction.state());
        if (uplink != null)
        {
            // the uplink is a port too: its counters show what went out to and came in from the outside
            rows.add(new PortRow(uplink.interfaceName(), UPLINK_NETWORK, "af_packet", runtime == null ? null : runtime.port()));
        }
    }

    /**
     * Sets the uplink: checks it against the networks and ports, reads the interface's MAC, adds the
     * uplink network and attaches the interface to it; on any failure nothing stays. The uplink with its status.
     */
    public UplinkStatus set(final UplinkSpec spec)
    {
        return transaction.locked(() ->
        {
            checkAddresses(spec);
            final UplinkSpec existing = UplinkSection.of(transaction.state());
            if (existing != null)
            {
                throw ControlException.alreadyExists("an uplink is set already (" + existing + "); remove it first (wharf uplink rm)");
            }
            checkAgainst(transaction.section(NetworkSection.KEY), spec);
            if (!opener.interfaceExists(spec.interfaceName()))
            {
                throw ControlException.notFound("interface " + quote(spec.interfaceName()) + " not found");
            }
            attach(spec);
            transaction.commit(UplinkSection.in(transaction.state(), spec), this::takeDown);
            downReason = null;
            LOG.info("uplink set: {}", spec);
            return status();
        });
    }

    /** The API's checks of the uplink on its own: its interface's name, its addresses. */
    private static void checkAddresses(final UplinkSpec spec)
    {
        Inputs.interfaceName(spec.interfaceName());
        Inputs.checkHostPrefix(spec.prefixLength(), "uplink address " + quote(spec.addressText()));
        final Cidr subnet = spec.subnet();
        Inputs.checkInside(subnet, spec.address(), "uplink address " + Ipv4Address.toString(spec.address()));
        Inputs.checkInside(subnet, spec.gateway(), "uplink gateway " + Ipv4Address.toString(spec.gateway()));
        if (spec.gateway() == spec.address())
        {
            throw ControlException.invalid("uplink gateway " + Ipv4Address.toString(spec.gateway()) + " is the uplink address itself");
        }
    }

    /** The API's checks of the uplink against the networks and ports: not one of the ports, no overlap with a network. */
    private static void checkAgainst(final NetworkSection networks, final UplinkSpec spec)
    {
        final PortSpec port = networks.port(spec.interfaceName());
        if (port != null)
        {
            throw ControlException.precondition("interface " + quote(spec.interfaceName()) + " is a port of network " + quote(port.network()));
        }
        for (final NetworkSpec network : networks.networks())
        {
            if (network.subnet().overlaps(spec.subnet()))
            {
                throw ControlException.precondition("uplink subnet " + spec.subnet() + " overlaps network " + quote(network.name()) +
                    " (" + network.subnet() + ")");
            }
        }
    }

    /**
     * Checks the uplink of a saved state as the API would have checked it, against the saved networks
     * and ports (not whether its interface is there: a missing one is restored as down); refuses with
     * the API's message. At start-up, before {@link #restore}; reads only {@code saved}.
     */
    @Override
    public void check(final DesiredState saved)
    {
        final UplinkSpec uplink = UplinkSection.of(saved);
        if (uplink != null)
        {
            checkAddresses(uplink);
            checkAgainst(NetworkSection.of(saved), uplink);
        }
    }

    /** Removes the uplink, unless a dependent refuses. */
    public void remove()
    {
        transaction.locked(() ->
        {
            final UplinkSpec uplink = UplinkSection.of(transaction.state());
            if (uplink == null)
            {
                throw ControlException.notFound("no uplink is set");
            }
            dependents.forEach(d -> d.checkRemove(uplink));
            transaction.commit(UplinkSection.in(transaction.state(), null), () -> { });
            takeDown();
            downReason = null;
            dependents.forEach(d -> d.onRemoved(uplink));
            LOG.info("uplink removed: {}", uplink);
        });
    }

    /** The uplink with its runtime facts, or null when none is set. */
    public UplinkStatus status()
    {
        return transaction.locked(() ->
        {
            final UplinkSpec uplink = UplinkSection.of(transaction.state());
            if (uplink == null)
            {
                return null;
            }
            if (runtime == null)
            {
                return new UplinkStatus(uplink, -1, false, downReason == null ? "not attached" : downReason, NeighbourTable.MISSING, 0);
            }
            final NetworkState network = dataplane.snapshot().network(runtime.network());
            final int[] neighbours = new int[1];
            network.neighbours.forEach((ip, mac, updatedMs) -> neighbours[0]++);
            return new UplinkStatus(uplink, runtime.mac(), true, "", network.neighbours.lookup(uplink.gateway()), neighbours[0]);
        });
    }

    @Override
    public void restore(final DesiredState saved)
    {
        final UplinkSpec uplink = UplinkSection.of(saved);
        if (uplink != null)
        {
            transaction.locked(() ->
            {
                transaction.adopt(UplinkSection.in(transaction.state(), uplink));
                bringUp("restored");
            });
        }
    }

    @Override
    public void reconcile()
    {
        transaction.locked(() ->
        {
            final UplinkSpec uplink = UplinkSection.of(transaction.state());
            if (uplink != null && runtime != null && opener.interfaceIndex(uplink.interfaceName()) != runtime.interfaceIndex())
            {
                takeDown();
                downReason = "interface disappeared";
                LOG.warn("uplink {} is down: its interface disappeared; it comes back when an interface of that name appears",
                    uplink.interfaceName());
            }
            if (uplink != null && runtime == null && opener.interfaceExists(uplink.interfaceName()))
            {
                bringUp("back up");
            }
        });
    }

    /** Adds the uplink network and attaches its interface; leaves nothing behind when that fails. */
    private void attach(final UplinkSpec spec)
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
            throw ControlException.precondition("cannot open interface " + quote(spec.interfaceName()) + ": " + Inputs.oneLine(e.getMessage()));
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
        runtime = new Runtime(network, id, interfaceIndex, mac);
        ids.namePort(id, spec.interfaceName());
        ids.nameNetwork(network, UPLINK_NETWORK);
    }

    private void takeDown()
    {
        final Runtime down = runtime;
        if (down != null)
        {
            runtime = null;
            ids.namePort(down.port(), null);
            ids.nameNetwork(down.network(), null);
            dataplane.detachPort(down.port());
            dataplane.removeNetwork(down.network());
        }
    }

    private void bringUp(final String what)
    {
        final UplinkSpec uplink = UplinkSection.of(transaction.state());
        final String before = downReason;
        try
        {
            if (!opener.interfaceExists(uplink.interfaceName()))
            {
                throw ControlException.notFound("interface not found");
            }
            attach(uplink);
            downReason = null;
            LOG.info("uplink {}: {}", what, uplink);
        }
        catch (final ControlException e)
        {
            downReason = e.getMessage();
            if (!e.getMessage().equals(before))
            {
                LOG.warn("uplink {} is down: {}", uplink.interfaceName(), e.getMessage());
            }
        }
    }
}
