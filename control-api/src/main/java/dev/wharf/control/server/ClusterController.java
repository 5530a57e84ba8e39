package dev.wharf.control.server;

import dev.wharf.cluster.ClusterStore;
import dev.wharf.cluster.ClusterStoreException;
import dev.wharf.control.api.v1.ClusterDrainedBackend;
import dev.wharf.control.api.v1.ClusterNetworkRecord;
import dev.wharf.control.api.v1.ClusterServiceRecord;
import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.OverlaySection;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import io.grpc.BindableService;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The cluster feature ({@code wharf daemon --cluster etcd://...}): overlay networks are the cluster's,
 * claimed in the cluster store before a host creates them, so that every host has the same network with
 * the same VNI and gateway MAC; their ports' addresses are claimed there too (cluster-wide IPAM). The
 * {@link ClusterAgent} keeps this host's records in the store and programs what the others hold.
 * Virtual services on a cluster network's address are the cluster's too: written to the store before they
 * change here, made on every host by its agent (Swarm's routing mesh, through the store instead of gossip).
 * Bridge networks stay this host's own, and every local verb works while the store is unreachable.
 *
 * <p>Thread safety: the claims run on gRPC threads under the {@link StateTransaction}'s lock and call
 * the store synchronously (bounded by its timeout); the agent has its own thread.
 */
public final class ClusterController implements Feature, NetworkController.Sharing, PortController.AddressClaims, LbController.Sharing,
    AutoCloseable
{
    /** Docker's overlay driver chooses VNIs from 4096 up too, which leaves the low ones to networks made by hand. */
    static final int FIRST_CHOSEN_VNI = 4096;
    private static final int CLAIM_ATTEMPTS = 16;

    /** Who this host is in the cluster and how its records live there. */
    public record Settings(String host, int underlay, ClusterKeys keys, Duration leaseTtl, String version)
    {
    }

    private final ClusterStore store;
    private final Settings settings;
    private final StateTransaction transaction;
    private final NetworkController networks;
    private final ClusterAgent agent;

    public ClusterController(
        final ClusterStore store, final Settings settings, final StateTransaction transaction, final IdMap ids, final NetworkController networks,
        final PortController ports, final OverlayController overlay, final LbController lb)
    {
        this.store = store;
        this.settings = settings;
        this.transaction = transaction;
        this.networks = networks;
        this.agent = new ClusterAgent(store, settings, transaction, ids, networks, overlay, lb, this::claimHostAddress);
        networks.share(this);
        ports.claimAddressesThrough(this);
        if (lb != null)
        {
            lb.share(this);
        }
        overlay.programmedByCluster();
        transaction.onChange(agent::localStateChanged);
    }

    @Override
    public List<BindableService> services()
    {
        return List.of(new ClusterService(this));
    }

    /** Registers this host and starts following the store; after the saved state is restored. */
    public void start()
    {
        agent.start();
    }

    /** This daemon's view of the cluster. */
    public ClusterAgent.Status status()
    {
        return agent.status();
    }

    /** The hosts registered in the store, as last watched. */
    public List<ClusterAgent.HostView> hosts()
    {
        return agent.hosts();
    }

    public Settings settings()
    {
        return settings;
    }

    public String storeDescription()
    {
        return store.describe();
    }

    @Override
    public boolean shares(final String driver)
    {
        return OverlayController.DRIVER.equals(driver);
    }

    @Override
    public NetworkController.SharedNetwork claim(
        final NetworkSpec proposed, final String driver, final NetworkController.DriverOptions options, final Set<Long> takenMacs)
    {
        final String encapsulation = options.encapsulation() == null ? "vxlan" : options.encapsulation();
        if (options.vni() < 0 || options.vni() > OverlayController.VNI_MAX)
        {
            throw ControlException.invalid("VNI " + Integer.toUnsignedString(options.vni()) + " is out of range 1.." + OverlayController.VNI_MAX);
        }
        if (options.hostAddress() != 0)
        {
            throw ControlException.invalid("--host-address is per host, and an overlay network of a cluster is every host's: leave it out");
        }
        return storeCall("create network " + quote(proposed.name()), () ->
        {
            for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++)
            {
                final Optional<ClusterStore.Entry> existing = store.get(settings.keys().network(proposed.name()));
                if (existing.isPresent())
                {
                    return sameNetwork(proposed, encapsulation, options, existing.get().value());
                }
                final ClusterStore.Snapshot vnis = store.read(settings.keys().vnis(encapsulation));
                final int vni = options.vni() != 0 ? options.vni() : freeVni(vnis, encapsulation);
                final Optional<ClusterStore.Entry> holder = vnis.entries().stream()
                    .filter(e -> e.key().equals(settings.keys().vni(encapsulation, vni))).findFirst();
                if (holder.isPresent())
                {
                    throw ControlException.alreadyExists("VNI " + vni + " (" + encapsulation + ") is network " + quote(holder.get().value()) +
                        "'s in the cluster");
                }
                final Set<Long> macs = new HashSet<>(takenMacs);
                for (final ClusterStore.Entry entry : store.read(settings.keys().networks()).entries())
                {
                    try
                    {
                        macs.add(MacAddress.parse(ClusterRecords.<ClusterNetworkRecord>parse(entry.value(), ClusterNetworkRecord.newBuilder())
                            .getGatewayMac()));
                    }
                    catch (final IllegalArgumentException e)
                    {
                        // a record that is not one (cluster status lists it as a problem) holds no MAC to avoid
                    }
                }
                final long gatewayMac = GatewayMacs.derive(proposed.name(), macs);
                final NetworkController.DriverOptions chosen = new NetworkController.DriverOptions(vni, encapsulation, options.mtu(),
                    options.mssClamp(), options.learning(), 0);
                final ClusterNetworkRecord record = ClusterNetworkSpecs.record(proposed.withGatewayMac(gatewayMac), chosen, settings.host());
                if (store.createAll(Map.of(settings.keys().network(proposed.name()), ClusterRecords.json(record),
                    settings.keys().vni(encapsulation, vni), proposed.name()), 0))
                {
                    return new NetworkController.SharedNetwork(gatewayMac, chosen, true);
                }
                // another host created the network or took the VNI meanwhile: look again
            }
            throw new ControlException(ControlException.Reason.UNAVAILABLE, "could not claim network " + quote(proposed.name()) +
                " in the cluster store after " + CLAIM_ATTEMPTS + " attempts (other hosts kept taking VNIs): try again");
        });
    }

    /** The network another host created under the same name, when it is the one asked for; ALREADY_EXISTS when it is not. */
    private static NetworkController.SharedNetwork sameNetwork(
        final NetworkSpec proposed, final String encapsulation, final NetworkController.DriverOptions options, final String json)
    {
        final ClusterNetworkRecord record;
        final NetworkSpec theirs;
        try
        {
            record = ClusterRecords.parse(json, ClusterNetworkRecord.newBuilder());
            theirs = ClusterNetworkSpecs.spec(record);
        }
        catch (final IllegalArgumentException e)
        {
            throw ControlException.precondition("the cluster store holds network " + quote(proposed.name()) + " as something that is " +
                "not a network record (" + e.getMessage() + "): remove the key by hand or choose another name");
        }
        final boolean same = theirs.subnet().equals(proposed.subnet()) && theirs.gateway() == proposed.gateway() &&
            theirs.internal() == proposed.internal() && theirs.icc() == proposed.icc() && theirs.masquerade() == proposed.masquerade() &&
            theirs.macLimit() == proposed.macLimit() && record.getEncap().equals(encapsulation) &&
            (options.vni() == 0 || options.vni() == record.getVni()) && (options.mtu() == 0 || options.mtu() == record.getMtu());
        if (!same)
        {
            throw ControlException.alreadyExists("network " + quote(proposed.name()) + " exists in the cluster already, created on host " +
                record.getCreatedBy() + " as " + ClusterNetworkSpecs.describe(record) + ": remove it there, or create it with these options");
        }
        return new NetworkController.SharedNetwork(theirs.gatewayMac(), ClusterNetworkSpecs.options(record), false);
    }

    /** The smallest VNI from {@link #FIRST_CHOSEN_VNI} up that neither the cluster nor a network of this host uses. */
    private int freeVni(final ClusterStore.Snapshot vnis, final String encapsulation)
    {
        final Set<Integer> taken = new HashSet<>();
        final String start = settings.keys().vnis(encapsulation);
        vnis.entries().forEach(e -> taken.add(Integer.parseInt(e.key().substring(start.length()))));
        OverlaySection.of(transaction.state()).networks().stream().filter(n -> n.encapsulation().equals(encapsulation))
            .forEach(n -> taken.add(n.vni()));
        for (int vni = FIRST_CHOSEN_VNI; vni <= OverlayController.VNI_MAX; vni++)
        {
            if (!taken.contains(vni))
            {
                return vni;
            }
        }
        throw new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "every VNI of the cluster is taken");
    }

    @Override
    public void abandon(final String name)
    {
        try
        {
            deleteNetworkRecord(name);
        }
        catch (final ClusterStoreException e)
        {
            agent.problem("network " + quote(name) + " stays in the cluster store though it could not be created here: " + e.getMessage());
        }
    }

    @Override
    public void release(final String name)
    {
        storeCall("remove network " + quote(name), () ->
        {
            final List<String> others = agent.otherHostsOn(name, store.read(settings.keys().endpoints(name)));
            if (!others.isEmpty())
            {
                throw ControlException.precondition("network " + quote(name) + " has endpoints on host(s) " + String.join(", ", others) +
                    " of the cluster: detach them there first");
            }
            deleteNetworkRecord(name);
            return null;
        });
    }

    private void deleteNetworkRecord(final String name)
    {
        final Optional<ClusterStore.Entry> entry = store.get(settings.keys().network(name));
        if (entry.isPresent())
        {
            final ClusterNetworkRecord record = ClusterRecords.parse(entry.get().value(), ClusterNetworkRecord.newBuilder());
            store.deleteIfValue(settings.keys().network(name), entry.get().value());
            store.deleteIfValue(settings.keys().vni(record.getEncap(), record.getVni()), name);
        }
    }

    @Override
    public PortSpec claim(final PortSpec port)
    {
        final OverlaySection.OverlayNetwork overlay = OverlaySection.of(transaction.state()).network(port.network());
        if (overlay == null)
        {
            return port;
        }
        final long lease = agent.lease();
        if (lease == 0)
        {
            throw new ControlException(ControlException.Reason.UNAVAILABLE, "a port of a cluster network needs its address claimed in the " +
                "cluster store " + store.describe() + ", which is " + agent.status().state() + " (" + agent.status().reason() + ")");
        }
        final NetworkSpec network = networks.network(port.network());
        final String holder = ClusterKeys.holder(settings.host(), port.name());
        return storeCall("claim an address for port " + quote(port.name()), () ->
        {
            if (port.hasIp())
            {
                claimAddress(network, port.ip(), holder, lease, true);
                return port;
            }
            for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++)
            {
                final int address = freeAddress(network, overlay, store.read(settings.keys().ipams(network.name())));
                if (claimAddress(network, address, holder, lease, false))
                {
                    return new PortSpec(port.name(), port.network(), port.kind(), address, port.mac(), port.vlan(), port.trunkVlans(),
                        port.macLimit(), port.containerName(), port.aliases(), port.portSecurity());
                }
            }
            throw new ControlException(ControlException.Reason.UNAVAILABLE, "could not allocate an address on network " +
                quote(network.name()) + " after " + CLAIM_ATTEMPTS + " attempts (other hosts kept taking them): try again");
        });
    }

    /** Claims {@code address} for {@code holder}; false when another holder has it (ALREADY_EXISTS instead when {@code asked}). */
    private boolean claimAddress(final NetworkSpec network, final int address, final String holder, final long lease, final boolean asked)
    {
        final String key = settings.keys().ipam(network.name(), Ipv4Address.toString(address));
        if (!store.createAll(Map.of(key, holder), lease))
        {
            final Optional<ClusterStore.Entry> current = store.get(key);
            if (current.isPresent() && !current.get().value().equals(holder))
            {
                if (asked)
                {
                    throw ControlException.alreadyExists("IP " + Ipv4Address.toString(address) + " is held in the cluster by " +
                        ClusterKeys.describeHolder(current.get().value()));
                }
                return false;
            }
            store.put(key, holder, lease); // ours from before a restart: under this run's lease now
        }
        agent.wrote(key, holder);
        return true;
    }

    /** The first host address of the network that no port of the cluster or of this host holds. */
    private static int freeAddress(final NetworkSpec network, final OverlaySection.OverlayNetwork overlay, final ClusterStore.Snapshot claims)
    {
        final Set<Integer> taken = new HashSet<>();
        claims.entries().forEach(e -> taken.add(Ipv4Address.parse(e.key().substring(e.key().lastIndexOf('/') + 1))));
        taken.add(network.gateway());
        if (overlay.hostAddress() != 0)
        {
            taken.add(overlay.hostAddress());
        }
        final Cidr subnet = network.subnet();
        for (int address = subnet.firstHost(); Integer.compareUnsigned(address, subnet.broadcast()) < 0; address++)
        {
            if (!taken.contains(address))
            {
                return address;
            }
        }
        throw new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "network " + quote(network.name()) + " (" + subnet +
            ") has no free address left in the cluster");
    }

    @Override
    public void release(final PortSpec port)
    {
        if (port.hasIp() && OverlaySection.of(transaction.state()).network(port.network()) != null)
        {
            agent.localStateChanged(); // the agent deletes the claim the port no longer has, when the store is there
        }
    }

    /**
     * Claims this host's own address on cluster network {@code name} (the one it held before a restart, if the store
     * still has it); the agent calls it when a service of the cluster is on the network. UNAVAILABLE without a lease.
     */
    int claimHostAddress(final String name)
    {
        final OverlaySection.OverlayNetwork overlay = OverlaySection.of(transaction.state()).network(name);
        final NetworkSpec network = networks.network(name);
        final long lease = agent.lease();
        if (overlay == null || lease == 0)
        {
            throw new ControlException(ControlException.Reason.UNAVAILABLE, "no address of this host on " + quote(name) + " can be claimed now");
        }
        final String holder = ClusterKeys.holder(settings.host(), ClusterKeys.HOST_ADDRESS_PORT);
        return storeCall("claim this host's address on network " + quote(name), () ->
        {
            for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++)
            {
                final ClusterStore.Snapshot claims = store.read(settings.keys().ipams(name));
                final Optional<ClusterStore.Entry> held = claims.entries().stream().filter(e -> e.value().equals(holder)).findFirst();
                final int address = held.map(e -> Ipv4Address.parse(e.key().substring(e.key().lastIndexOf('/') + 1)))
                    .orElseGet(() -> freeAddress(network, overlay, claims));
                if (claimAddress(network, address, holder, lease, false))
                {
                    return address;
                }
            }
            throw new ControlException(ControlException.Reason.UNAVAILABLE, "could not claim an address on network " + quote(name) +
                " for this host after " + CLAIM_ATTEMPTS + " attempts: the agent tries again");
        });
    }

    @Override
    public boolean shares(final int vip)
    {
        return sharedNetworkOf(vip) != null;
    }

    /** The cluster network whose subnet holds {@code address}, or null. */
    private String sharedNetworkOf(final int address)
    {
        for (final OverlaySection.OverlayNetwork overlay : OverlaySection.of(transaction.state()).networks())
        {
            final NetworkSpec network = networks.network(overlay.network());
            if (network.subnet().contains(address))
            {
                return network.name();
            }
        }
        return null;
    }

    @Override
    public void write(final LbSection.Service before, final LbSection.Service after, final LbSection.Backend drained, final int drainSeconds)
    {
        final LbSection.Address address = (after != null ? after : before).address();
        final String key = settings.keys().service(address.toString());
        final String vipClaim = settings.keys().ipam(sharedNetworkOf(address.vip()), Ipv4Address.toString(address.vip()));
        storeCall((before == null ? "add" : after == null ? "remove" : "change") + " virtual service " + address, () ->
        {
            final Optional<ClusterStore.Entry> current = store.get(key);
            final Map<String, String> expected = new HashMap<>();
            final Map<String, String> changes = new HashMap<>();
            if (before == null)
            {
                if (current.isPresent())
                {
                    throw ControlException.alreadyExists("virtual service " + address + " exists in the cluster already (" +
                        changedBy(current.get().value()) + "): wharf lb ls shows it once this host applied it");
                }
                final Optional<ClusterStore.Entry> claim = store.get(vipClaim);
                if (claim.isPresent() && !claim.get().value().equals(ClusterKeys.VIP_HOLDER))
                {
                    throw ControlException.precondition("VIP " + Ipv4Address.toString(address.vip()) + " is held in the cluster by " +
                        ClusterKeys.describeHolder(claim.get().value()) + ": a VIP must be an address of its own");
                }
                expected.put(key, null);
                expected.put(vipClaim, claim.map(ClusterStore.Entry::value).orElse(null));
                changes.put(vipClaim, ClusterKeys.VIP_HOLDER);
            }
            else
            {
                if (current.isEmpty() || !before.equals(sharedService(current.get().value())))
                {
                    throw ControlException.precondition("virtual service " + address + " changed in the cluster meanwhile (" +
                        current.map(e -> changedBy(e.value())).orElse("removed on another host") + "): this host applies it within a " +
                        "second; look at wharf lb ls and try again");
                }
                expected.put(key, current.get().value());
                if (after == null && store.read(settings.keys().services()).entries().stream()
                    .noneMatch(e -> !e.key().equals(key) && sharedVip(e.value()) == address.vip()))
                {
                    changes.put(vipClaim, null); // the last service on the VIP lets it go
                }
            }
            changes.put(key, after == null ? null : ClusterRecords.json(serviceRecord(after, drained, drainSeconds)));
            if (!store.commitIf(expected, changes, 0))
            {
                throw ControlException.precondition("virtual service " + address + " changed in the cluster meanwhile (another host's " +
                    "command came first): look at wharf lb ls and try again");
            }
            return null;
        });
    }

    private ClusterServiceRecord serviceRecord(final LbSection.Service service, final LbSection.Backend drained, final int drainSeconds)
    {
        final ClusterServiceRecord.Builder record = ClusterServiceRecord.newBuilder().setService(LbSection.record(service))
            .setChangedBy(settings.host());
        if (drained != null)
        {
            record.addDrained(ClusterDrainedBackend.newBuilder().setAddress(Ipv4Address.toString(drained.address())).setPort(drained.port())
                .setDrainSeconds(drainSeconds));
        }
        return record.build();
    }

    /** The service a record of the store holds, or null when it is not one. */
    private static LbSection.Service sharedService(final String json)
    {
        try
        {
            return LbSection.fromRecord(ClusterRecords.<ClusterServiceRecord>parse(json, ClusterServiceRecord.newBuilder()).getService(), "the cluster store");
        }
        catch (final IllegalArgumentException e)
        {
            return null;
        }
    }

    private static int sharedVip(final String json)
    {
        final LbSection.Service service = sharedService(json);
        return service == null ? 0 : service.address().vip();
    }

    private static String changedBy(final String json)
    {
        try
        {
            return "last changed on host " + ClusterRecords.<ClusterServiceRecord>parse(json, ClusterServiceRecord.newBuilder()).getChangedBy();
        }
        catch (final IllegalArgumentException e)
        {
            return "as a record that is not one";
        }
    }

    /** Runs {@code call} on the store; a store that cannot be reached refuses the verb with UNAVAILABLE, naming it. */
    private <T> T storeCall(final String what, final java.util.function.Supplier<T> call)
    {
        try
        {
            return call.get();
        }
        catch (final ClusterStoreException e)
        {
            throw new ControlException(ControlException.Reason.UNAVAILABLE, "cannot " + what + ": it needs the cluster store, and " +
                Inputs.oneLine(e.getMessage()) + " (local verbs and bridge networks work without it)");
        }
    }

    /** Leaves the cluster: stops the agent and revokes the lease, so that the other hosts forget this host's endpoints at once. */
    @Override
    public void close()
    {
        agent.close();
        store.close();
    }
}
