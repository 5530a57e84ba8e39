package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.OverlaySection;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.SectionKey;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.Overlay;
import dev.wharf.vxlan.underlay.UnderlayException;
import io.grpc.BindableService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The overlay feature: the {@link OverlaySection} applied to the {@link Overlay}. It provides the
 * {@code overlay} network driver (an overlay network is a network of the network section with a tunnel
 * port, recorded here with its VNI), the underlay, and each overlay network's VTEPs and remote
 * endpoints. While the underlay cannot be bound (its address gone after a restart), the overlay
 * networks stay without tunnels and {@link #reconcile} retries.
 *
 * <p>Thread safety: every method takes the {@link StateTransaction}'s lock; gRPC executor threads and the reconciler's.
 */
public final class OverlayController implements Feature, NetworkController.Driver, NetworkController.Dependent, PortController.Dependent, PortRows
{
    public static final String DRIVER = "overlay";
    public static final int VNI_MAX = 0xFF_FFFF;
    /** The smallest IPv4 MTU (RFC 791). */
    public static final int MTU_MIN = 68;

    private static final Logger LOG = LoggerFactory.getLogger(OverlayController.class);

    private final StateTransaction transaction;
    private final IdMap ids;
    private final NetworkController networks;
    private final Overlay overlay;
    private final Dataplane dataplane;
    /** Why the underlay of the desired state is not bound; null when it is (or none is set). */
    private String downReason;
    /** The remote endpoints programmed from the cluster store, by network: VTEP -> (MAC -> IP, 0: none); never in the state file. */
    private final Map<String, Map<Integer, Map<Long, Integer>>> clusterEntries = new HashMap<>();
    /** True when the cluster store programs every overlay network's VTEPs, so that users do not. */
    private boolean programmedByCluster;

    /** The underlay as shown: the desired one, and the bound one's facts (null while down). */
    public record UnderlayStatus(OverlaySection.Underlay spec, Overlay.UnderlayInfo bound, String downReason)
    {
    }

    /** An overlay network's tunnel and VTEPs, for listings. */
    public record VtepListing(OverlaySection.OverlayNetwork network, int mtu, String tunnelPort, List<Overlay.Vtep> vteps)
    {
    }

    public OverlayController(
        final StateTransaction transaction, final IdMap ids, final NetworkController networks, final Overlay overlay, final Dataplane dataplane)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.networks = networks;
        this.overlay = overlay;
        this.dataplane = dataplane;
        networks.register((NetworkController.Driver)this);
        networks.register((NetworkController.Dependent)this);
    }

    @Override
    public List<SectionKey<?>> sections()
    {
        return List.of(OverlaySection.KEY);
    }

    @Override
    public List<BindableService> services()
    {
        return List.<BindableService>of(new OverlayService(this));
    }

    private OverlaySection section()
    {
        return transaction.section(OverlaySection.KEY);
    }

    /** Sets (or replaces) the underlay; nothing changes when it cannot be bound. */
    public UnderlayStatus setUnderlay(final OverlaySection.Underlay spec)
    {
        return transaction.locked(() ->
        {
            checkUnderlay(spec);
            final Overlay.UnderlayInfo before = overlay.underlay();
            bind(spec);
            final OverlaySection previous = section();
            transaction.commit(previous.withUnderlay(spec).in(transaction.state()), () ->
            {
                if (before != null)
                {
                    overlay.setUnderlay(before.localAddress(), before.vxlanPort(), before.genevePort(), null);
                }
            });
            if (before == null && !previous.networks().isEmpty())
            {
                attachTunnels(previous); // overlay networks restored while the underlay was down get their tunnels now
            }
            downReason = null;
            LOG.info("underlay set: {} (VXLAN port {}, Geneve port {}, {})", Ipv4Address.toString(spec.local()), spec.port(),
                spec.genevePort(), overlay.underlay().transport());
            return underlayStatus();
        });
    }

    private void bind(final OverlaySection.Underlay spec)
    {
        try
        {
            overlay.setUnderlay(spec.local(), spec.port(), spec.genevePort(), spec.device());
        }
        catch (final UnderlayException | IllegalArgumentException e)
        {
            throw ControlException.precondition("cannot set the underlay: " + Inputs.oneLine(e.getMessage()));
        }
    }

    private static void checkUnderlay(final OverlaySection.Underlay spec)
    {
        Inputs.checkPort(spec.port(), "underlay port");
        Inputs.checkPort(spec.genevePort(), "underlay Geneve port");
        if (spec.port() == spec.genevePort())
        {
            throw ControlException.invalid("VXLAN and Geneve need different UDP ports: both are " + spec.port());
        }
        Inputs.checkUnicastHost(spec.local(), "underlay address");
        if (spec.device() != null)
        {
            Inputs.interfaceName(spec.device());
        }
    }

    /** The underlay, or null when none is set. */
    public UnderlayStatus underlayStatus()
    {
        return transaction.locked(() ->
        {
            final OverlaySection.Underlay spec = section().underlay();
            return spec == null ? null : new UnderlayStatus(spec, overlay.underlay(), downReason);
        });
    }

    /** Removes the underlay; refused while an overlay network exists. */
    public void removeUnderlay()
    {
        transaction.locked(() ->
        {
            final OverlaySection section = section();
            if (section.underlay() == null)
            {
                throw ControlException.notFound("no underlay is set");
            }
            if (!section.networks().isEmpty())
            {
                throw ControlException.precondition("the underlay carries overlay network(s) " +
                    String.join(", ", section.networks().stream().map(n -> quote(n.network())).toList()) + ": remove them first");
            }
            transaction.commit(section.withUnderlay(null).in(transaction.state()), () -> { });
            overlay.clearUnderlay();
            downReason = null;
            LOG.info("underlay removed");
        });
    }

    @Override
    public String name()
    {
        return DRIVER;
    }

    @Override
    public boolean drives(final String network)
    {
        return section().network(network) != null;
    }

    @Override
    public void checkCreate(final String network, final Cidr subnet, final int gateway, final NetworkController.DriverOptions options)
    {
        checkOverlayNetwork(section(), network, options.vni(), options.encapsulation() == null ? Encapsulation.VXLAN.label() :
            options.encapsulation(), options.mtu());
        if (options.hostAddress() != 0)
        {
            checkHostAddress(subnet, gateway, options.hostAddress());
            if (LbSection.of(transaction.state()).services().stream().anyMatch(s -> s.address().vip() == options.hostAddress()))
            {
                throw ControlException.precondition("host address " + Ipv4Address.toString(options.hostAddress()) +
                    " is a virtual service's VIP");
            }
        }
        if (section().underlay() == null)
        {
            throw ControlException.precondition("an overlay network needs the underlay: set it first (wharf underlay set --local IP)");
        }
        if (overlay.underlay() == null)
        {
            throw ControlException.precondition("the underlay is down (" + downReason + "): no overlay network can be created now");
        }
        final Encapsulation encapsulation = encapsulation(options.encapsulation());
        final int limit = overlay.defaultMtu(encapsulation);
        if (options.mtu() > limit)
        {
            throw ControlException.precondition("MTU " + options.mtu() + " does not fit the underlay: at most " + limit + " (" +
                overlay.underlay().device() + " has MTU " + overlay.underlay().mtu() + ", " + encapsulation.label() + " takes " +
                encapsulation.overhead() + ")");
        }
    }

    /** The API's checks of one overlay network against the others (the saved state's too). */
    private static void checkOverlayNetwork(
        final OverlaySection section, final String network, final int vni, final String encapsulation, final int mtu)
    {
        if (vni < 1 || vni > VNI_MAX)
        {
            throw ControlException.invalid(vni == 0 ? "an overlay network needs --vni (1 to " + VNI_MAX + ")" :
                "VNI " + Integer.toUnsignedString(vni) + " is out of range 1.." + VNI_MAX);
        }
        final Encapsulation encap = encapsulation(encapsulation);
        if (mtu != 0 && mtu < MTU_MIN)
        {
            throw ControlException.invalid("MTU " + Integer.toUnsignedString(mtu) + " is below " + MTU_MIN);
        }
        for (final OverlaySection.OverlayNetwork other : section.networks())
        {
            if (other.vni() == vni && other.encapsulation().equals(encap.label()))
            {
                throw ControlException.alreadyExists("VNI " + vni + " (" + encap.label() + ") is network " + quote(other.network()) + "'s already");
            }
        }
    }

    /** A host address is a host of the subnet that is not the gateway (which every host shares). */
    private static void checkHostAddress(final Cidr subnet, final int gateway, final int address)
    {
        final String what = "host address " + Ipv4Address.toString(address);
        Inputs.checkInside(subnet, address, what);
        if (address == gateway)
        {
            throw ControlException.invalid(what + " is the gateway, which every host shares: give each host an address of its own");
        }
    }

    /** The MAC of this host's own address on an overlay network: Docker's 02:42 and the address, unique as the address is. */
    static long hostMac(final int address)
    {
        return 0x0242_0000_0000L | (address & 0xFFFF_FFFFL);
    }

    /** Refuses a port whose address is this host's own address on its overlay network. */
    @Override
    public void checkAttach(final PortSpec port)
    {
        final OverlaySection.OverlayNetwork network = section().network(port.network());
        if (network != null && port.hasIp() && network.hostAddress() == port.ip())
        {
            throw ControlException.alreadyExists("IP " + Ipv4Address.toString(port.ip()) + " is this host's own address on network " +
                quote(port.network()) + " (--host-address)");
        }
    }

    private static Encapsulation encapsulation(final String label)
    {
        if (label == null)
        {
            return Encapsulation.VXLAN;
        }
        final Encapsulation encapsulation = Encapsulation.byLabel(label);
        if (encapsulation == null)
        {
            throw ControlException.invalid("unknown encapsulation " + quote(label) + " (vxlan or geneve)");
        }
        return encapsulation;
    }

    @Override
    public void create(final NetworkSpec network, final int index, final NetworkController.DriverOptions options)
    {
        final Encapsulation encapsulation = encapsulation(options.encapsulation());
        final OverlaySection.OverlayNetwork entry = new OverlaySection.OverlayNetwork(network.name(), options.vni(), encapsulation.label(),
            options.mtu(), options.mssClamp() == null || options.mssClamp(), options.learning() == null || options.learning(),
            options.hostAddress());
        attachTunnel(entry, index);
        transaction.commit(section().withNetwork(entry).in(transaction.state()), () -> detachTunnel(index));
    }

    @Override
    public void onRemoving(final String name, final int index)
    {
        final OverlaySection section = section();
        if (section.network(name) != null)
        {
            transaction.commit(section.withoutNetwork(name).in(transaction.state()), () -> { });
            clusterEntries.remove(name);
            detachTunnel(index);
        }
    }

    /** Adds a VTEP to an overlay network's flood list, or with {@code mac} an endpoint behind it. */
    public Overlay.Vtep addVtep(final OverlaySection.VtepEntry entry)
    {
        return transaction.locked(() ->
        {
            final OverlaySection section = section();
            final NetworkSpec network = checkVtep(section, networks.network(entry.network()), entry);
            final int index = ids.network(network.name());
            if (overlay.isOverlay(index))
            {
                apply(index, entry);
            }
            transaction.commit(section.withVtep(entry).in(transaction.state()), () -> unapply(index, entry));
            LOG.info("vtep added to {}: {}", entry.network(), text(entry));
            return vtep(index, entry.vtep());
        });
    }

    /** The API's checks of a VTEP entry against its network and the entries there are; the saved state's too. */
    private NetworkSpec checkVtep(final OverlaySection section, final NetworkSpec network, final OverlaySection.VtepEntry entry)
    {
        if (section.network(network.name()) == null)
        {
            throw ControlException.precondition("network " + quote(network.name()) + " is not an overlay network (it was created as a bridge)");
        }
        refuseWhileClustered(network.name());
        Inputs.checkUnicastHost(entry.vtep(), "VTEP");
        if (section.underlay() != null && section.underlay().local() == entry.vtep())
        {
            throw ControlException.invalid("VTEP " + Ipv4Address.toString(entry.vtep()) + " is this host's own underlay address");
        }
        if (entry.ip() != 0)
        {
            Inputs.checkInside(network.subnet(), entry.ip(), "endpoint address " + Ipv4Address.toString(entry.ip()));
            if (entry.ip() == network.gateway())
            {
                throw ControlException.invalid("endpoint address " + Ipv4Address.toString(entry.ip()) + " is the network's gateway");
            }
            if (entry.ip() == section.network(network.name()).hostAddress())
            {
                throw ControlException.invalid("endpoint address " + Ipv4Address.toString(entry.ip()) + " is this host's own address on the network");
            }
        }
        for (final OverlaySection.VtepEntry other : section.vtepsOf(network.name()))
        {
            if (!entry.isEndpoint() && !other.isEndpoint() && other.vtep() == entry.vtep())
            {
                throw ControlException.alreadyExists("VTEP " + Ipv4Address.toString(entry.vtep()) + " is on network " +
                    quote(network.name()) + " already");
            }
            if (entry.isEndpoint() && other.mac() == entry.mac())
            {
                throw ControlException.alreadyExists("endpoint " + MacAddress.toString(entry.mac()) + " is behind VTEP " +
                    Ipv4Address.toString(other.vtep()) + " already");
            }
            if (entry.ip() != 0 && other.ip() == entry.ip())
            {
                throw ControlException.alreadyExists("endpoint address " + Ipv4Address.toString(entry.ip()) + " is " +
                    MacAddress.toString(other.mac()) + "'s already");
            }
        }
        return network;
    }

    private void refuseWhileClustered(final String network)
    {
        if (programmedByCluster)
        {
            throw ControlException.precondition("the VTEPs of network " + quote(network) + " come from the cluster store, which " +
                "lists every host's endpoints: they cannot be added or removed by hand (wharf cluster hosts shows the hosts)");
        }
    }

    /**
     * Gives this host its own address on overlay network {@code network} (the cluster claimed it for this host:
     * the load balancer's source towards backends on other hosts); nothing when it has one already.
     */
    public void assignHostAddress(final String network, final int address)
    {
        transaction.locked(() ->
        {
            final OverlaySection section = section();
            final OverlaySection.OverlayNetwork entry = section.network(network);
            final Integer index = ids.network(network);
            if (entry == null || index == null || entry.hostAddress() != 0)
            {
                return;
            }
            transaction.commit(section.replacing(entry.withHostAddress(address)).in(transaction.state()), () -> { });
            if (overlay.isOverlay(index))
            {
                dataplane.setHostAddress(index, address, hostMac(address));
            }
            LOG.info("this host's own address on network {}: {} (claimed in the cluster)", network, Ipv4Address.toString(address));
        });
    }

    /** From now on the cluster store programs the VTEPs of every overlay network ({@link #programRemote}); at assembly. */
    public void programmedByCluster()
    {
        transaction.locked(() -> programmedByCluster = true);
    }

    /**
     * Makes the remote endpoints of overlay network {@code network} programmed from the cluster store {@code desired}
     * (VTEP -> (MAC -> IP, 0: none); a VTEP with no MAC is in the flood list only), changing only what differs from
     * what was programmed before, so that an entry that stays is never out of the dataplane. Nothing while the
     * network has no tunnel (the underlay down); its tunnel's return programs it whole. Returns how many
     * entries changed.
     */
    public int programRemote(final String network, final Map<Integer, Map<Long, Integer>> desired)
    {
        return transaction.locked(() ->
        {
            final Integer index = ids.network(network);
            if (index == null || !overlay.isOverlay(index))
            {
                clusterEntries.remove(network);
                return 0;
            }
            return overlay.batch(() -> programRemote(network, index, desired));
        });
    }

    private int programRemote(final String network, final int index, final Map<Integer, Map<Long, Integer>> desired)
    {
        final Map<Integer, Map<Long, Integer>> programmed = clusterEntries.getOrDefault(network, Map.of());
        int changes = 0;
        for (final Map.Entry<Integer, Map<Long, Integer>> vtep : programmed.entrySet())
        {
            final Map<Long, Integer> wanted = desired.get(vtep.getKey());
            if (wanted == null)
            {
                overlay.removeVtep(index, vtep.getKey());
                changes += 1 + vtep.getValue().size();
                continue;
            }
            for (final Map.Entry<Long, Integer> endpoint : vtep.getValue().entrySet())
            {
                if (!Objects.equals(wanted.get(endpoint.getKey()), endpoint.getValue()))
                {
                    overlay.removeEndpoint(index, vtep.getKey(), endpoint.getKey());
                    changes++;
                }
            }
        }
        final Map<Integer, Map<Long, Integer>> now = new LinkedHashMap<>();
        for (final Map.Entry<Integer, Map<Long, Integer>> vtep : desired.entrySet())
        {
            final Map<Long, Integer> before = programmed.getOrDefault(vtep.getKey(), Map.of());
            final Map<Long, Integer> entries = new LinkedHashMap<>();
            now.put(vtep.getKey(), entries);
            if (!programmed.containsKey(vtep.getKey()))
            {
                overlay.addVtep(index, vtep.getKey());
                changes++;
            }
            for (final Map.Entry<Long, Integer> endpoint : vtep.getValue().entrySet())
            {
                if (Objects.equals(before.get(endpoint.getKey()), endpoint.getValue()))
                {
                    entries.put(endpoint.getKey(), endpoint.getValue());
                    continue;
                }
                try
                {
                    overlay.addEndpoint(index, vtep.getKey(), endpoint.getKey(), endpoint.getValue());
                    entries.put(endpoint.getKey(), endpoint.getValue());
                    changes++;
                }
                catch (final IllegalStateException | IllegalArgumentException e)
                {
                    LOG.warn("endpoint {} of network {} behind VTEP {} not programmed: {}", MacAddress.toString(endpoint.getKey()), network,
                        Ipv4Address.toString(vtep.getKey()), e.getMessage());
                }
            }
        }
        clusterEntries.put(network, now);
        return changes;
    }

    /** How many remote endpoints (with a MAC) the cluster store programmed here, over every network. */
    public int remoteEndpointCount()
    {
        return transaction.locked(() -> clusterEntries.values().stream().flatMap(m -> m.values().stream()).mapToInt(Map::size).sum());
    }

    /** Removes a VTEP with all its entries, or with {@code mac} one endpoint behind it. */
    public void removeVtep(final String networkName, final int vtep, final long mac)
    {
        transaction.locked(() ->
        {
            final OverlaySection section = section();
            final NetworkSpec network = networks.network(networkName);
            if (section.network(network.name()) == null)
            {
                throw ControlException.precondition("network " + quote(network.name()) + " is not an overlay network");
            }
            refuseWhileClustered(networkName);
            final List<OverlaySection.VtepEntry> removed = section.vtepsOf(networkName).stream()
                .filter(v -> v.vtep() == vtep && (mac == 0 || v.mac() == mac)).toList();
            if (removed.isEmpty())
            {
                throw ControlException.notFound(mac == 0 ? "no VTEP " + Ipv4Address.toString(vtep) + " on network " + quote(networkName) :
                    "no endpoint " + MacAddress.toString(mac) + " behind VTEP " + Ipv4Address.toString(vtep));
            }
            transaction.commit(section.withoutVtep(networkName, vtep, mac).in(transaction.state()), () -> { });
            final int index = ids.network(networkName);
            if (overlay.isOverlay(index))
            {
                removed.forEach(entry -> unapply(index, entry));
            }
            LOG.info("vtep removed from {}: {}{}", networkName, Ipv4Address.toString(vtep), mac == 0 ? "" : " " + MacAddress.toString(mac));
        });
    }

    /** An overlay network's tunnel and VTEPs. */
    public VtepListing vteps(final String networkName)
    {
        return transaction.locked(() ->
        {
            final NetworkSpec network = networks.network(networkName);
            final OverlaySection.OverlayNetwork entry = section().network(network.name());
            if (entry == null)
            {
                throw ControlException.precondition("network " + quote(network.name()) + " is not an overlay network");
            }
            final int index = ids.network(networkName);
            final Encapsulation encapsulation = encapsulation(entry.encapsulation());
            final List<Overlay.Vtep> vteps = overlay.isOverlay(index) ? overlay.vteps(index) : desiredVteps(networkName);
            return new VtepListing(entry, overlay.mtu(index), Overlay.tunnelName(encapsulation, entry.vni()), vteps);
        });
    }

    /** The VTEPs of the desired state, while the tunnel is down. */
    private List<Overlay.Vtep> desiredVteps(final String network)
    {
        final List<Overlay.Vtep> vteps = new ArrayList<>();
        for (final OverlaySection.VtepEntry entry : section().vtepsOf(network))
        {
            if (vteps.stream().noneMatch(v -> v.address() == entry.vtep()))
            {
                vteps.add(new Overlay.Vtep(entry.vtep(), section().vtepsOf(network).stream()
                    .filter(e -> e.vtep() == entry.vtep() && e.isEndpoint()).map(e -> new Overlay.Endpoint(e.mac(), e.ip())).toList()));
            }
        }
        return vteps;
    }

    private Overlay.Vtep vtep(final int index, final int address)
    {
        if (overlay.isOverlay(index))
        {
            return overlay.vteps(index).stream().filter(v -> v.address() == address).findFirst().orElseThrow();
        }
        return new Overlay.Vtep(address, List.of());
    }

    private void apply(final int index, final OverlaySection.VtepEntry entry)
    {
        if (entry.isEndpoint())
        {
            overlay.addEndpoint(index, entry.vtep(), entry.mac(), entry.ip());
        }
        else
        {
            overlay.addVtep(index, entry.vtep());
        }
    }

    private void unapply(final int index, final OverlaySection.VtepEntry entry)
    {
        try
        {
            if (entry.isEndpoint())
            {
                overlay.removeEndpoint(index, entry.vtep(), entry.mac());
            }
            else
            {
                overlay.removeVtep(index, entry.vtep());
            }
        }
        catch (final IllegalArgumentException e)
        {
            // removing the flood entry took its endpoints with it already
        }
    }

    private static String text(final OverlaySection.VtepEntry entry)
    {
        return Ipv4Address.toString(entry.vtep()) + (entry.isEndpoint() ? " " + MacAddress.toString(entry.mac()) : "") +
            (entry.ip() != 0 ? " " + Ipv4Address.toString(entry.ip()) : "");
    }

    /** Attaches an overlay network's tunnel port and names it; the underlay must be bound. */
    private void attachTunnel(final OverlaySection.OverlayNetwork entry, final int index)
    {
        final Encapsulation encapsulation = encapsulation(entry.encapsulation());
        final int port;
        try
        {
            port = overlay.addNetwork(index, entry.vni(), encapsulation, entry.mtu(), entry.mssClamp(), entry.learning());
        }
        catch (final IllegalArgumentException | IllegalStateException e)
        {
            throw ControlException.precondition("cannot make " + quote(entry.network()) + " an overlay network: " + e.getMessage());
        }
        ids.namePort(port, Overlay.tunnelName(encapsulation, entry.vni()));
        clusterEntries.remove(entry.network()); // a new tunnel has none of them: the next programRemote puts them all
        if (entry.hostAddress() != 0)
        {
            dataplane.setHostAddress(index, entry.hostAddress(), hostMac(entry.hostAddress()));
        }
    }

    private void detachTunnel(final int index)
    {
        final int port = overlay.tunnelPort(index);
        if (port >= 0)
        {
            overlay.removeNetwork(index);
            ids.namePort(port, null);
            dataplane.setHostAddress(index, 0, 0);
        }
    }

    /** Puts every overlay network of {@code section} with its VTEPs on the bound underlay. */
    private void attachTunnels(final OverlaySection section)
    {
        for (final OverlaySection.OverlayNetwork entry : section.networks())
        {
            final Integer index = ids.network(entry.network());
            if (index == null || overlay.isOverlay(index))
            {
                continue;
            }
            attachTunnel(entry, index);
            for (final OverlaySection.VtepEntry vtep : section.vtepsOf(entry.network()))
            {
                apply(index, vtep);
            }
        }
    }

    @Override
    public void addPortRows(final List<PortRow> rows)
    {
        final OverlaySection section = section();
        for (final OverlaySection.OverlayNetwork entry : section.networks())
        {
            final Integer index = ids.network(entry.network());
            final int port = index == null ? -1 : overlay.tunnelPort(index);
            rows.add(new PortRow(Overlay.tunnelName(encapsulation(entry.encapsulation()), entry.vni()), entry.network(),
                entry.encapsulation(), port < 0 ? null : port));
        }
        if (section.underlay() != null)
        {
            for (final Encapsulation encapsulation : Encapsulation.values())
            {
                final int port = overlay.underlayPort(encapsulation);
                rows.add(new PortRow("underlay-" + encapsulation.label(), "-", "underlay", port < 0 ? null : port));
            }
        }
    }

    /**
     * Checks the overlay section of a saved state as the API would have: every overlay network is a saved
     * network, VNIs unique per encapsulation, VTEP entries valid against their networks and each other.
     */
    @Override
    public void check(final DesiredState saved)
    {
        final OverlaySection overlaySection = OverlaySection.of(saved);
        final NetworkSection networkSection = NetworkSection.of(saved);
        if (overlaySection.underlay() != null)
        {
            checkUnderlay(overlaySection.underlay());
        }
        else if (!overlaySection.networks().isEmpty())
        {
            throw ControlException.precondition("overlay networks without an underlay");
        }
        OverlaySection section = OverlaySection.EMPTY.withUnderlay(overlaySection.underlay());
        final Set<String> seen = new HashSet<>();
        for (final OverlaySection.OverlayNetwork network : overlaySection.networks())
        {
            if (networkSection.network(network.network()) == null)
            {
                throw ControlException.notFound("overlay network " + quote(network.network()) + " is no network of the state");
            }
            if (!seen.add(network.network()))
            {
                throw ControlException.alreadyExists("network " + quote(network.network()) + " is an overlay network twice");
            }
            checkOverlayNetwork(section, network.network(), network.vni(), network.encapsulation(), network.mtu());
            if (network.hostAddress() != 0)
            {
                final NetworkSpec spec = networkSection.network(network.network());
                checkHostAddress(spec.subnet(), spec.gateway(), network.hostAddress());
                for (final PortSpec port : networkSection.portsOf(network.network()))
                {
                    if (port.hasIp() && port.ip() == network.hostAddress())
                    {
                        throw ControlException.alreadyExists("host address " + Ipv4Address.toString(port.ip()) + " of network " +
                            quote(network.network()) + " is port " + quote(port.name()) + "'s address too");
                    }
                }
            }
            section = section.withNetwork(network);
        }
        for (final OverlaySection.VtepEntry entry : overlaySection.vteps())
        {
            final NetworkSpec network = networkSection.network(entry.network());
            if (network == null)
            {
                throw ControlException.notFound("VTEP of unknown network " + quote(entry.network()));
            }
            checkVtep(section, network, entry);
            section = section.withVtep(entry);
        }
    }

    /** Adopts the saved overlay section and binds the underlay; its networks' tunnels follow when it binds. */
    @Override
    public void restore(final DesiredState saved)
    {
        final OverlaySection section = OverlaySection.of(saved);
        transaction.locked(() ->
        {
            transaction.adopt(section.in(transaction.state()));
            if (section.underlay() != null)
            {
                bringUp("restored");
            }
        });
    }

    @Override
    public void reconcile()
    {
        transaction.locked(() ->
        {
            if (section().underlay() != null && overlay.underlay() == null)
            {
                bringUp("back up");
            }
        });
    }

    private void bringUp(final String what)
    {
        final OverlaySection section = section();
        final String before = downReason;
        try
        {
            bind(section.underlay());
            attachTunnels(section);
            downReason = null;
            LOG.info("underlay {}: {} with {} overlay network(s)", what, Ipv4Address.toString(section.underlay().local()),
                section.networks().size());
        }
        catch (final ControlException e)
        {
            downReason = e.getMessage();
            if (!e.getMessage().equals(before))
            {
                LOG.warn("underlay {} is down: {}; overlay networks have no tunnel until it comes up",
                    Ipv4Address.toString(section.underlay().local()), e.getMessage());
            }
        }
    }
}
