package dev.wharf.control.server;

import dev.wharf.cluster.ClusterStore;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.SectionKey;
import dev.wharf.control.state.StateFileException;
import dev.wharf.control.state.StateStore;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.lb.LoadBalancer;
import dev.wharf.dns.Dns;
import dev.wharf.vxlan.Overlay;
import io.grpc.BindableService;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The control plane as the daemon assembles it: the one {@link StateTransaction} and {@link IdMap}
 * every controller shares, and the list of {@link Feature}s, in dependency order (networks and ports,
 * the uplink, the overlay when loaded, NAT, connection tracking, the load balancer when loaded, the views). This is the one place that names the features;
 * everything else (the state file's sections, replay at start-up, reconciliation, the gRPC services,
 * the meters) is driven over the list. A new feature is built here, after those it builds on, and
 * added to the list.
 *
 * <p>Built on the daemon's main thread before the dataplane starts; the features' own thread
 * safety applies after.
 */
public final class ControlPlane
{
    private final Dataplane dataplane;
    private final StateTransaction transaction;
    private final StateStore store;
    private final NetworkFeature network;
    private final UplinkController uplink;
    private final NatController nat;
    private final ConntrackController conntrack;
    private final SwitchViews views;
    private final OverlayController overlay;
    private final LbController lb;
    private final HostAccessController hostAccess;
    private final DnsController dns;
    private final ClusterController cluster;
    private final List<Feature> features;

    private ControlPlane(
        final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl natControl, final Overlay overlayService,
        final LoadBalancer balancer, final HostKernel hostKernel, final Dns dnsService, final ClusterStore clusterStore,
        final ClusterController.Settings clusterSettings)
    {
        this.dataplane = dataplane;
        final IdMap ids = new IdMap();
        this.transaction = new StateTransaction();
        this.network = new NetworkFeature(transaction, ids, dataplane, opener);
        this.uplink = new UplinkController(transaction, ids, dataplane, opener, network.networks(), network.ports());
        this.nat = new NatController(transaction, ids, network.networks(), uplink, natControl);
        this.conntrack = new ConntrackController(transaction, ids, dataplane, natControl);
        this.overlay = overlayService == null ? null : new OverlayController(transaction, ids, network.networks(), overlayService, dataplane);
        final List<PortRows> portRows = new ArrayList<>(List.of(network.ports(), uplink));
        if (overlay != null)
        {
            portRows.add(overlay);
            network.ports().register(overlay);
        }
        this.views = new SwitchViews(transaction, ids, dataplane, network.networks(), network.ports(), portRows);
        final List<Feature> loaded = new ArrayList<>(List.of(network, uplink));
        this.hostAccess = hostKernel == null ? null :
            new HostAccessController(transaction, ids, dataplane, opener, hostKernel, network.networks());
        if (hostAccess != null)
        {
            loaded.add(hostAccess);
        }
        if (overlay != null)
        {
            loaded.add(overlay);
        }
        loaded.addAll(List.of(nat, conntrack));
        this.lb = balancer == null ? null : new LbController(transaction, balancer);
        if (lb != null)
        {
            loaded.add(lb);
            network.ports().register(lb);
        }
        this.dns = dnsService == null ? null :
            new DnsController(transaction, ids, dnsService, lb == null ? List::of : lb::virtualServices);
        if (dns != null)
        {
            loaded.add(dns);
        }
        if (clusterStore != null && overlay == null)
        {
            throw new IllegalArgumentException("a cluster shares overlay networks: it needs the overlay feature");
        }
        this.cluster = clusterStore == null ? null :
            new ClusterController(clusterStore, clusterSettings, transaction, ids, network.networks(), network.ports(), overlay, lb);
        loaded.add(cluster != null ? cluster : () -> List.of(new ClusterService(null)));
        loaded.add(views);
        this.features = List.copyOf(loaded);
        this.store = stateDirectory == null ? null : new StateStore(stateDirectory, sections());
        transaction.persistTo(store);
    }

    /**
     * @param stateDirectory where the state is kept ({@value StateStore#FILE_NAME}), or null to keep it in memory only.
     * @param nat            the connection tracking and NAT of {@code dataplane}.
     */
    public static ControlPlane create(final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl nat)
    {
        return new ControlPlane(dataplane, opener, stateDirectory, nat, null, null, null, null, null, null);
    }

    /**
     * As {@link #create(Dataplane, PortOpener, Path, NatControl)}, with the overlay feature on {@code overlay}, whose nodes
     * are in {@code dataplane}'s graph and which is bound to it.
     */
    public static ControlPlane create(
        final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl nat, final Overlay overlay)
    {
        return new ControlPlane(dataplane, opener, stateDirectory, nat, overlay, null, null, null, null, null);
    }

    /**
     * As {@link #create(Dataplane, PortOpener, Path, NatControl, Overlay)}, with the load balancer {@code balancer}
     * (on the NAT service behind {@code nat}, its nodes in {@code dataplane}'s graph) too.
     */
    public static ControlPlane create(
        final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl nat, final Overlay overlay,
        final LoadBalancer balancer)
    {
        return new ControlPlane(dataplane, opener, stateDirectory, nat, overlay, balancer, null, null, null, null);
    }

    /**
     * As {@link #create(Dataplane, PortOpener, Path, NatControl, Overlay, LoadBalancer)}, with host access
     * through {@code hostKernel} (null: none): the host reaches every network ({@link HostAccessController}).
     */
    public static ControlPlane create(
        final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl nat, final Overlay overlay,
        final LoadBalancer balancer, final HostKernel hostKernel)
    {
        return new ControlPlane(dataplane, opener, stateDirectory, nat, overlay, balancer, hostKernel, null, null, null);
    }

    /**
     * As {@link #create(Dataplane, PortOpener, Path, NatControl, Overlay, LoadBalancer, HostKernel)}, with the DNS server
     * {@code dns} (null: none), whose node is in {@code dataplane}'s graph and which is bound to it.
     */
    public static ControlPlane create(
        final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl nat, final Overlay overlay,
        final LoadBalancer balancer, final HostKernel hostKernel, final Dns dns)
    {
        return new ControlPlane(dataplane, opener, stateDirectory, nat, overlay, balancer, hostKernel, dns, null, null);
    }

    /**
     * As {@link #create(Dataplane, PortOpener, Path, NatControl, Overlay, LoadBalancer, HostKernel, Dns)}, in the cluster
     * whose store is {@code clusterStore} (null: a single host), as the host {@code clusterSettings} describe.
     */
    public static ControlPlane create(
        final Dataplane dataplane, final PortOpener opener, final Path stateDirectory, final NatControl nat, final Overlay overlay,
        final LoadBalancer balancer, final HostKernel hostKernel, final Dns dns, final ClusterStore clusterStore,
        final ClusterController.Settings clusterSettings)
    {
        return new ControlPlane(dataplane, opener, stateDirectory, nat, overlay, balancer, hostKernel, dns, clusterStore, clusterSettings);
    }

    /** A control plane that keeps its state in memory only and has no NAT nodes (tests). */
    public static ControlPlane inMemory(final Dataplane dataplane, final PortOpener opener)
    {
        return new ControlPlane(dataplane, opener, null, NatControl.detached(), null, null, null, null, null, null);
    }

    /** Every feature's state sections, in the order they are read. */
    public List<SectionKey<?>> sections()
    {
        final List<SectionKey<?>> sections = new ArrayList<>();
        features.forEach(feature -> sections.addAll(feature.sections()));
        return sections;
    }

    /**
     * Prepares the state directory and reads the saved state; {@link DesiredState#EMPTY} when there is
     * none or it is kept in memory. A file that reads but breaks a rule the API enforces (every
     * feature's {@link Feature#check}) is refused like one that does not read, with the API's message.
     */
    public DesiredState load() throws StateFileException
    {
        if (store == null)
        {
            return DesiredState.EMPTY;
        }
        store.prepare();
        final DesiredState saved = store.load();
        try
        {
            features.forEach(feature -> feature.check(saved));
        }
        catch (final ControlException e)
        {
            throw new StateFileException(store.file(), "breaks a rule of the API: " + e.getMessage());
        }
        return saved;
    }

    /** The state file, or null when the state is kept in memory only. */
    public Path stateFile()
    {
        return store == null ? null : store.file();
    }

    /** Replays a saved state on the empty dataplane at start-up, feature by feature in list order. */
    public void restore(final DesiredState saved)
    {
        if (!transaction.state().equals(DesiredState.EMPTY))
        {
            throw new IllegalStateException("restore needs an empty control plane");
        }
        features.forEach(feature -> feature.restore(saved));
    }

    /** Brings every feature in line with the host; the daemon's housekeeping thread, about once a second. */
    public void reconcile()
    {
        features.forEach(Feature::reconcile);
    }

    /** Every feature's gRPC services. */
    public List<BindableService> services()
    {
        final List<BindableService> services = new ArrayList<>();
        features.forEach(feature -> services.addAll(feature.services()));
        return services;
    }

    /** Registers every feature's meters. */
    public void bindMetrics(final MeterRegistry registry)
    {
        features.forEach(feature -> feature.bindMetrics(registry));
    }

    /** Every feature's {@link Feature#beforeScrape}: at the start of a scrape. */
    public void beforeScrape()
    {
        features.forEach(Feature::beforeScrape);
    }

    /** The current desired state, every section. */
    public DesiredState state()
    {
        return transaction.state();
    }

    public Dataplane dataplane()
    {
        return dataplane;
    }

    public NetworkController networks()
    {
        return network.networks();
    }

    public PortController ports()
    {
        return network.ports();
    }

    public UplinkController uplink()
    {
        return uplink;
    }

    public NatController nat()
    {
        return nat;
    }

    public ConntrackController conntrack()
    {
        return conntrack;
    }

    /** The overlay feature, or null when the daemon was built without it. */
    public OverlayController overlay()
    {
        return overlay;
    }

    public SwitchViews views()
    {
        return views;
    }

    /** The cluster feature, or null when the daemon runs as a single host. */
    public ClusterController cluster()
    {
        return cluster;
    }

    /** The load balancer's feature, or null when the daemon was built without it. */
    public LbController lb()
    {
        return lb;
    }
}
