package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.ConnectionSpec;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.worker.Dataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The networks of the {@link NetworkSection} and the connections between them, applied to the
 * {@link Dataplane}: create, remove, connect, disconnect, and the views of a network. Other
 * features that hang off networks (ports, published ports, the uplink's subnet) register a
 * {@link Dependent} and are asked before a network comes or goes, in registration order; this class
 * names none of them.
 *
 * <p>Thread safety: every method takes the {@link StateTransaction}'s lock; gRPC executor threads.
 */
public final class NetworkController
{
    private static final Logger LOG = LoggerFactory.getLogger(NetworkController.class);

    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dataplane dataplane;
    private final List<Dependent> dependents = new ArrayList<>();
    private final List<Driver> drivers = new ArrayList<>();
    private Sharing sharing;

    /** A network's flags as asked for: no traffic to or from the uplink, containers may talk, masquerade through the uplink. */
    public record Flags(boolean internal, boolean icc, boolean masquerade)
    {
        public static final Flags DEFAULT = new Flags(false, true, true);
    }

    /** A network with what the dataplane knows of it, for listings; {@code driver} is {@link #BRIDGE} or a {@link Driver}'s name. */
    public record NetworkView(NetworkSpec spec, int portCount, int fdbEntries, List<String> connections, String driver)
    {
    }

    /** The driver of a network on this host only, which this class itself provides. */
    public static final String BRIDGE = "bridge";

    /** The options a network create passes to its driver (only the overlay's exist so far); 0 and null mean unset. */
    public record DriverOptions(int vni, String encapsulation, int mtu, Boolean mssClamp, Boolean learning, int hostAddress)
    {
        public static final DriverOptions NONE = new DriverOptions(0, null, 0, null, null, 0);
    }

    /**
     * A network type that another feature provides (the overlay): it checks its options before a network of its
     * type is created and puts its part in place once the network is in the dataplane, recording it in its own
     * state section. Called under the lock.
     */
    public interface Driver
    {
        /** The name users give ({@code --driver overlay}). */
        String name();

        /** Refuses options or a state that cannot take a network of this type, before anything is changed. */
        void checkCreate(String network, Cidr subnet, int gateway, DriverOptions options);

        /** The network was added to the dataplane as {@code index} and committed; a throw here removes it again. */
        void create(NetworkSpec network, int index, DriverOptions options);

        /** True when {@code network} is one of this driver's. */
        boolean drives(String network);
    }

    /** A network as the cluster has it: the gateway MAC every host answers with, the driver's options (the VNI chosen), whether this request created it. */
    public record SharedNetwork(long gatewayMac, DriverOptions options, boolean createdHere)
    {
    }

    /**
     * Shares the networks of some drivers with the other hosts of a cluster (the cluster store): such a network is
     * claimed in the store after this host's own checks and before it is created here, so that two hosts asking for
     * it at once get one network. Called under the lock.
     */
    public interface Sharing
    {
        /** True when networks of {@code driver} are the cluster's rather than this host's only. */
        boolean shares(String driver);

        /**
         * Claims {@code proposed} (its gateway MAC not yet chosen: 0) cluster-wide: the network as the cluster has it,
         * this request's or the same network another host created. Refuses a different network under the name
         * (ALREADY_EXISTS) and answers UNAVAILABLE when the store cannot be reached.
         */
        SharedNetwork claim(NetworkSpec proposed, String driver, DriverOptions options, Set<Long> takenMacs);

        /** This host's creation of {@code name} failed after its claim created it in the store: take the claim back. */
        void abandon(String name);

        /** A user removes {@code name} here: remove it from the store first (refused while other hosts use it). */
        void release(String name);
    }

    /** A feature whose objects hang off networks; a refusal throws {@link ControlException}. Called under the lock. */
    public interface Dependent
    {
        /** Before a network with {@code subnet} is created, after the networks' own checks. */
        default void checkCreate(final Cidr subnet)
        {
        }

        /** Before the network {@code name} is removed. */
        default void checkRemove(final String name)
        {
        }

        /** After {@code network} was added to the dataplane as network {@code index} (created or restored). */
        default void onAdded(final NetworkSpec network, final int index)
        {
        }

        /** The network {@code name} (dataplane index {@code index}) passed every check and is removed next: let go of it. */
        default void onRemoving(final String name, final int index)
        {
        }
    }

    public NetworkController(final StateTransaction transaction, final IdMap ids, final Dataplane dataplane)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dataplane = dataplane;
    }

    /** Asks {@code dependent} before every network creation and removal from now on; at assembly. */
    public void register(final Dependent dependent)
    {
        transaction.locked(() -> dependents.add(dependent));
    }

    /** Shares networks with a cluster through {@code sharing} from now on; at assembly, once. */
    public void share(final Sharing sharing)
    {
        transaction.locked(() ->
        {
            if (this.sharing != null)
            {
                throw new IllegalStateException("networks are shared already");
            }
            this.sharing = sharing;
        });
    }

    /** Offers network type {@code driver} to network create from now on; at assembly. */
    public void register(final Driver driver)
    {
        transaction.locked(() -> drivers.add(driver));
    }

    /** The network called {@code name}, or NOT_FOUND. */
    public NetworkSpec network(final String name)
    {
        final NetworkSpec network = transaction.section(NetworkSection.KEY).network(name);
        if (network == null)
        {
            throw ControlException.notFound("network " + quote(name) + " not found");
        }
        return network;
    }

    /** The dataplane index of the network {@code name}, or NOT_FOUND. */
    public int index(final String name)
    {
        return transaction.locked(() ->
        {
            network(name);
            return ids.network(name);
        });
    }

    /** The FDB of the network {@code name}, or NOT_FOUND. */
    public FdbTable fdb(final String name)
    {
        return transaction.locked(() -> dataplane.snapshot().network(index(name)).fdb);
    }

    /** Every network with its view, in creation order. */
    public List<NetworkView> list()
    {
        return transaction.locked(() -> transaction.section(NetworkSection.KEY).networks().stream().map(this::view).toList());
    }

    /** The network {@code name} with its view, or NOT_FOUND. */
    public NetworkView view(final String name)
    {
        return transaction.locked(() -> view(network(name)));
    }

    private NetworkView view(final NetworkSpec spec)
    {
        final NetworkSection section = transaction.section(NetworkSection.KEY);
        return new NetworkView(spec, section.portsOf(spec.name()).size(), fdb(spec.name()).size(), section.connectionsOf(spec.name()),
            driverOf(spec.name()));
    }

    /** Creates a network with the default flags; {@code gateway} 0 is the subnet's first address, {@code macLimit} 0 the daemon's default. */
    public NetworkSpec create(final String name, final Cidr subnet, final int gateway, final int macLimit)
    {
        return create(name, subnet, gateway, macLimit, Flags.DEFAULT);
    }

    /** Creates a bridge network with its flags. */
    public NetworkSpec create(final String name, final Cidr subnet, final int gateway, final int macLimit, final Flags flags)
    {
        return create(name, subnet, gateway, macLimit, flags, BRIDGE, DriverOptions.NONE);
    }

    /** Creates a network of type {@code driver} ({@link #BRIDGE} or a registered {@link Driver}'s name) with its flags. */
    public NetworkSpec create(
        final String name, final Cidr subnet, final int gateway, final int macLimit, final Flags flags, final String driver,
        final DriverOptions options)
    {
        return transaction.locked(() ->
        {
            final Driver typed = driver(driver, options);
            final int gatewayIp = gateway == 0 ? subnet.firstHost() : gateway;
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            checkNetwork(section, name, subnet, gatewayIp, macLimit);
            dependents.forEach(d -> d.checkCreate(subnet));
            final Set<Long> takenMacs = gatewayMacs(section);
            final NetworkSpec proposed = new NetworkSpec(name, subnet, gatewayIp, 0, macLimit, flags.internal(), flags.icc(), flags.masquerade());
            if (sharing == null || !sharing.shares(driver))
            {
                return createHere(proposed.withGatewayMac(GatewayMacs.derive(name, takenMacs)), typed, options);
            }
            final SharedNetwork shared = sharing.claim(proposed, driver, options, takenMacs);
            try
            {
                checkGatewayMac(name, shared.gatewayMac(), takenMacs);
                return createHere(proposed.withGatewayMac(shared.gatewayMac()), typed, shared.options());
            }
            catch (final RuntimeException e)
            {
                if (shared.createdHere())
                {
                    sharing.abandon(name);
                }
                throw e;
            }
        });
    }

    /**
     * Creates here a network the cluster store holds, which another host (or this one, before a restart) created:
     * the local checks of {@link #create}, no claim. Under the lock.
     */
    public NetworkSpec createShared(final NetworkSpec network, final String driver, final DriverOptions options)
    {
        return transaction.locked(() ->
        {
            final Driver typed = driver(driver, options);
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            checkNetwork(section, network.name(), network.subnet(), network.gateway(), network.macLimit());
            dependents.forEach(d -> d.checkCreate(network.subnet()));
            checkGatewayMac(network.name(), network.gatewayMac(), gatewayMacs(section));
            return createHere(network, typed, options);
        });
    }

    private static Set<Long> gatewayMacs(final NetworkSection section)
    {
        final Set<Long> macs = new HashSet<>();
        section.networks().forEach(other -> macs.add(other.gatewayMac()));
        return macs;
    }

    private static void checkGatewayMac(final String name, final long mac, final Set<Long> takenMacs)
    {
        if (takenMacs.contains(mac))
        {
            throw ControlException.alreadyExists("the cluster's gateway MAC of network " + quote(name) + ", " + MacAddress.toString(mac) +
                ", is a network's of this host already");
        }
    }

    /** The driver's checks, then the network into the dataplane and the state, then the driver's part. */
    private NetworkSpec createHere(final NetworkSpec spec, final Driver typed, final DriverOptions options)
    {
        if (typed != null)
        {
            typed.checkCreate(spec.name(), spec.subnet(), spec.gateway(), options);
        }
        final String name = spec.name();
        addToDataplane(spec);
        transaction.commit(transaction.section(NetworkSection.KEY).withNetwork(spec).in(transaction.state()),
            () -> dataplane.removeNetwork(ids.removeNetwork(name)));
        if (typed != null)
        {
            try
            {
                typed.create(spec, ids.network(name), options);
            }
            catch (final RuntimeException e)
            {
                transaction.commit(transaction.section(NetworkSection.KEY).withoutNetwork(name).in(transaction.state()), () -> { });
                dataplane.removeNetwork(ids.removeNetwork(name));
                throw e;
            }
        }
        LOG.info("network created: {} ({})", spec, typed == null ? BRIDGE : typed.name());
        return spec;
    }

    /** Removes a network that nothing depends on any more; a shared one from the cluster store first. */
    public void remove(final String name)
    {
        remove(name, true);
    }

    /** Removes here a shared network that went from the cluster store (removed on another host): nothing to release. */
    public void removeShared(final String name)
    {
        remove(name, false);
    }

    private void remove(final String name, final boolean release)
    {
        transaction.locked(() ->
        {
            network(name);
            dependents.forEach(d -> d.checkRemove(name));
            if (release && sharing != null && isShared(name))
            {
                sharing.release(name);
            }
            transaction.commit(transaction.section(NetworkSection.KEY).withoutNetwork(name).in(transaction.state()), () -> { });
            final int index = ids.network(name);
            dependents.forEach(d -> d.onRemoving(name, index));
            dataplane.removeNetwork(ids.removeNetwork(name));
            LOG.info("network removed: {}", name);
        });
    }

    /** True when the network {@code name} is of a driver the cluster shares. */
    public boolean isShared(final String name)
    {
        return transaction.locked(() -> sharing != null && sharing.shares(driverOf(name)));
    }

    /** The driver of the network {@code name}: {@link #BRIDGE} or a registered driver's name. */
    public String driverOf(final String name)
    {
        return drivers.stream().filter(d -> d.drives(name)).map(Driver::name).findFirst().orElse(BRIDGE);
    }

    /** Allows routing between two networks. */
    public void connect(final String a, final String b)
    {
        transaction.locked(() ->
        {
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            checkConnect(section, a, b);
            final int first = ids.network(a);
            final int second = ids.network(b);
            dataplane.connectNetworks(first, second, true);
            transaction.commit(section.withConnection(new ConnectionSpec(a, b)).in(transaction.state()),
                () -> dataplane.connectNetworks(first, second, false));
            LOG.info("networks connected: {} <-> {}", a, b);
        });
    }

    /** Isolates two connected networks again. */
    public void disconnect(final String a, final String b)
    {
        transaction.locked(() ->
        {
            network(a);
            network(b);
            final NetworkSection section = transaction.section(NetworkSection.KEY);
            if (section.connections().stream().noneMatch(c -> c.joins(a, b)))
            {
                throw ControlException.notFound("networks " + quote(a) + " and " + quote(b) + " are not connected");
            }
            final int first = ids.network(a);
            final int second = ids.network(b);
            dataplane.connectNetworks(first, second, false);
            transaction.commit(section.withoutConnection(a, b).in(transaction.state()), () -> dataplane.connectNetworks(first, second, true));
            LOG.info("networks disconnected: {} <-> {}", a, b);
        });
    }

    /** The registered driver called {@code name}; null for a bridge network; INVALID_ARGUMENT for an unknown one or options without a driver. */
    private Driver driver(final String name, final DriverOptions options)
    {
        if (name == null || name.isEmpty() || name.equals(BRIDGE))
        {
            if (!options.equals(DriverOptions.NONE))
            {
                throw ControlException.invalid("--vni, --encap, --mtu, --mss-clamp, --learning and --host-address are options of overlay networks (--driver overlay)");
            }
            return null;
        }
        for (final Driver driver : drivers)
        {
            if (driver.name().equals(name))
            {
                return driver;
            }
        }
        final List<String> known = new ArrayList<>(List.of(BRIDGE));
        drivers.forEach(d -> known.add(d.name()));
        throw ControlException.invalid("unknown network driver " + quote(name) + " (drivers: " + String.join(", ", known) + ")");
    }

    /** The API's checks of a network against the networks there are already (not the dependents'): create's, and a saved state's. */
    private void checkNetwork(final NetworkSection section, final String name, final Cidr subnet, final int gatewayIp, final int macLimit)
    {
        Inputs.networkName(name);
        Inputs.checkInside(subnet, gatewayIp, "gateway " + Ipv4Address.toString(gatewayIp));
        checkMacLimit(macLimit);
        if (section.network(name) != null)
        {
            throw ControlException.alreadyExists("network " + quote(name) + " already exists");
        }
        for (final NetworkSpec other : section.networks())
        {
            if (other.subnet().overlaps(subnet))
            {
                throw ControlException.precondition("subnet " + subnet + " overlaps network " + quote(other.name()) +
                    " (" + other.subnet() + ")");
            }
        }
    }

    private static void checkConnect(final NetworkSection section, final String a, final String b)
    {
        for (final String name : List.of(a, b))
        {
            if (section.network(name) == null)
            {
                throw ControlException.notFound("network " + quote(name) + " not found");
            }
        }
        if (a.equals(b))
        {
            throw ControlException.invalid("cannot connect network " + quote(a) + " to itself");
        }
        if (section.connections().stream().anyMatch(c -> c.joins(a, b)))
        {
            throw ControlException.alreadyExists("networks " + quote(a) + " and " + quote(b) + " are connected already");
        }
    }

    /**
     * Checks the networks and connections of a saved state as the API would have checked them when
     * they were made, one after the other, and the gateway MACs the API derived (unicast, one per
     * network); refuses with the API's message. At start-up, before {@link #restore}; reads only {@code saved}.
     */
    void check(final DesiredState saved)
    {
        final NetworkSection networks = NetworkSection.of(saved);
        NetworkSection section = NetworkSection.EMPTY;
        final Set<Long> macs = new HashSet<>();
        for (final NetworkSpec network : networks.networks())
        {
            Inputs.checkSubnet(network.subnet());
            checkNetwork(section, network.name(), network.subnet(), network.gateway(), network.macLimit());
            final long mac = network.gatewayMac();
            if (mac == 0 || MacAddress.isMulticast(mac))
            {
                throw ControlException.invalid("gateway MAC " + MacAddress.toString(mac) + " of network " +
                    quote(network.name()) + " is not a unicast MAC");
            }
            if (!macs.add(mac))
            {
                throw ControlException.alreadyExists("gateway MAC " + MacAddress.toString(mac) + " of network " +
                    quote(network.name()) + " is another network's too");
            }
            section = section.withNetwork(network);
        }
        for (final ConnectionSpec connection : networks.connections())
        {
            checkConnect(section, connection.network(), connection.other());
            section = section.withConnection(connection);
        }
    }

    /** Refuses a MAC limit beyond what the FDB holds; 0 is the daemon's default. */
    void checkMacLimit(final int macLimit)
    {
        final int max = dataplane.configuration().fdbMaxEntries();
        if (macLimit < 0 || macLimit > max)
        {
            throw ControlException.invalid("MAC limit " + Integer.toUnsignedString(macLimit) + " is out of range 1.." + max);
        }
    }

    /** Replays the saved networks, then their connections, on the empty dataplane; the ports come after (PortController). */
    void restore(final DesiredState saved)
    {
        transaction.locked(() ->
        {
            final NetworkSection networks = NetworkSection.of(saved);
            NetworkSection section = NetworkSection.EMPTY;
            for (final NetworkSpec network : networks.networks())
            {
                addToDataplane(network);
                section = section.withNetwork(network);
                LOG.info("network restored: {}", network);
            }
            for (final ConnectionSpec connection : networks.connections())
            {
                dataplane.connectNetworks(ids.network(connection.network()), ids.network(connection.other()), true);
                section = section.withConnection(connection);
            }
            transaction.adopt(section.in(transaction.state()));
        });
    }

    private void addToDataplane(final NetworkSpec network)
    {
        final int index = dataplane.addNetwork(network.name(), network.subnet().network(), network.subnet().prefixLength(),
            network.gateway(), network.gatewayMac(), new NetworkPolicy(network.internal(), network.icc()));
        ids.addNetwork(network.name(), index);
        dependents.forEach(d -> d.onAdded(network, index));
    }
}
