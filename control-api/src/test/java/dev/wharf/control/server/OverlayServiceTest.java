package dev.wharf.control.server;

import dev.wharf.control.api.v1.AddVtepRequest;
import dev.wharf.control.api.v1.AddVtepResponse;
import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.CreateNetworkResponse;
import dev.wharf.control.api.v1.ListVtepsRequest;
import dev.wharf.control.api.v1.ListVtepsResponse;
import dev.wharf.control.api.v1.RemoveNetworkRequest;
import dev.wharf.control.api.v1.RemoveUnderlayRequest;
import dev.wharf.control.api.v1.RemoveVtepRequest;
import dev.wharf.control.api.v1.SetUnderlayRequest;
import dev.wharf.control.api.v1.SetUnderlayResponse;
import dev.wharf.control.api.v1.ShowUnderlayRequest;
import dev.wharf.control.api.v1.ShowUnderlayResponse;
import dev.wharf.control.state.DesiredState;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.dataplane.worker.Pipeline;
import dev.wharf.vxlan.Overlay;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The overlay's API over a real overlay (real underlay sockets, bound to an address of this machine on
 * free high ports) and an unstarted dataplane: what it accepts, what it refuses with which status and
 * message (changing nothing), and what a restart restores.
 */
class OverlayServiceTest
{
    private static final String REMOTE = "10.200.0.2";
    private static final String REMOTE_MAC = "02:42:0a:32:00:03";

    @TempDir
    Path stateDirectory;

    private final String local = hostAddress();
    private final int port = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
    private Daemon daemon;

    /** A daemon's overlay side: dataplane with the overlay's nodes, control plane, the two services. */
    private static final class Daemon implements AutoCloseable
    {
        final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-c1");
        final Overlay overlay = new Overlay();
        final Dataplane dataplane =
            new Dataplane(DataplaneConfiguration.defaults().withWorkers(1).withPipelines(Pipeline.withFeatures(List.of(overlay.feature()))));
        final ControlPlane plane;
        final NetworkService networks;
        final OverlayService overlays;
        final FdbService fdb;

        Daemon(final Path stateDirectory)
        {
            overlay.bind(dataplane);
            plane = ControlPlane.create(dataplane, opener, stateDirectory, NatControl.detached(), overlay);
            networks = new NetworkService(plane.networks(), plane.ports());
            overlays = new OverlayService(plane.overlay());
            fdb = new FdbService(plane.views());
        }

        Daemon restored() throws Exception
        {
            final DesiredState saved = plane.load();
            plane.restore(saved);
            return this;
        }

        @Override
        public void close()
        {
            dataplane.close();
        }
    }

    /** An IPv4 address of this machine that is not loopback, as a tunnel endpoint must be. */
    private static String hostAddress()
    {
        try
        {
            for (final NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces()))
            {
                for (final InetAddress address : Collections.list(nic.getInetAddresses()))
                {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && nic.isUp())
                    {
                        return address.getHostAddress();
                    }
                }
            }
        }
        catch (final Exception e)
        {
            throw new AssertionError("cannot list this machine's interfaces", e);
        }
        throw new AssertionError("this machine has no IPv4 address but loopback; the overlay tests need one");
    }

    @AfterEach
    void tearDown()
    {
        if (daemon != null)
        {
            daemon.close();
        }
    }

    private Daemon daemon()
    {
        if (daemon == null)
        {
            daemon = new Daemon(stateDirectory);
        }
        return daemon;
    }

    private SetUnderlayResponse setUnderlay()
    {
        final RecordingObserver<SetUnderlayResponse> observer = new RecordingObserver<>();
        daemon().overlays.setUnderlay(SetUnderlayRequest.newBuilder().setLocal(local).setPort(port).setGenevePort(port + 1).build(), observer);
        return observer.response();
    }

    private static CreateNetworkRequest.Builder overlayNetwork(final String name, final int vni)
    {
        return CreateNetworkRequest.newBuilder().setName(name).setSubnet("10.50.0.0/24").setDriver("overlay").setVni(vni);
    }

    private CreateNetworkResponse create(final CreateNetworkRequest.Builder request)
    {
        final RecordingObserver<CreateNetworkResponse> observer = new RecordingObserver<>();
        daemon().networks.create(request.build(), observer);
        return observer.response();
    }

    private AddVtepResponse addVtep(final AddVtepRequest.Builder request)
    {
        final RecordingObserver<AddVtepResponse> observer = new RecordingObserver<>();
        daemon().overlays.addVtep(request.build(), observer);
        return observer.response();
    }

    private ListVtepsResponse vteps(final String network)
    {
        final RecordingObserver<ListVtepsResponse> observer = new RecordingObserver<>();
        daemon().overlays.listVteps(ListVtepsRequest.newBuilder().setNetwork(network).build(), observer);
        return observer.response();
    }

    /** Runs a call that must be refused; asserts its status, its message and that the state and the dataplane did not change. */
    private void assertRefused(final Status.Code code, final String message, final ServiceTestSupport.Call call)
    {
        final DesiredState before = daemon().plane.state();
        final long version = daemon().dataplane.snapshot().version;
        final RecordingObserver<Object> observer = new RecordingObserver<>();
        call.invoke(observer);
        final Status status = observer.status();
        assertEquals(code, status.getCode(), () -> "status of: " + status.getDescription());
        assertEquals(message, status.getDescription());
        assertEquals(before, daemon().plane.state(), "state changed by a refused call");
        assertEquals(version, daemon().dataplane.snapshot().version, "dataplane changed by a refused call");
    }

    @Test
    void anOverlayNetworkNeedsTheUnderlayAndTheUnderlayAnAddressOfThisHost()
    {
        assertRefused(Status.Code.FAILED_PRECONDITION,
            "an overlay network needs the underlay: set it first (wharf underlay set --local IP)",
            o -> daemon().networks.create(overlayNetwork("ov", 42).build(), o));
        assertRefused(Status.Code.FAILED_PRECONDITION, "cannot set the underlay: 192.0.2.1 is not an address of this host",
            o -> daemon().overlays.setUnderlay(SetUnderlayRequest.newBuilder().setLocal("192.0.2.1").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "underlay address 127.0.0.1 is not a unicast address of a host",
            o -> daemon().overlays.setUnderlay(SetUnderlayRequest.newBuilder().setLocal("127.0.0.1").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "the underlay needs this host's tunnel endpoint address (--local IP)",
            o -> daemon().overlays.setUnderlay(SetUnderlayRequest.getDefaultInstance(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "VXLAN and Geneve need different UDP ports: both are " + port,
            o -> daemon().overlays.setUnderlay(SetUnderlayRequest.newBuilder().setLocal(local).setPort(port).setGenevePort(port).build(), o));

        final SetUnderlayResponse set = setUnderlay();

        assertEquals(local, set.getUnderlay().getLocal());
        assertEquals("up", set.getUnderlay().getState());
        assertEquals(set.getUnderlay().getMtu() - 50, set.getUnderlay().getVxlanMtu());
        assertTrue(daemon().overlay.underlayPort(dev.wharf.vxlan.Encapsulation.VXLAN) >= 0, "the underlay is a device port of the dataplane");
    }

    @Test
    void anOverlayNetworkGetsATunnelPortWithTheUnderlaysMtuLessTheEncapsulation()
    {
        final int underlayMtu = setUnderlay().getUnderlay().getMtu();

        final CreateNetworkResponse created = create(overlayNetwork("ov", 42));

        assertEquals("overlay", created.getNetwork().getDriver());
        assertEquals(1, created.getNetwork().getPortCount() + 1, "the tunnel is no port of the user's");
        final ListVtepsResponse listing = vteps("ov");
        assertEquals(42, listing.getVni());
        assertEquals("vxlan", listing.getEncap());
        assertEquals(underlayMtu - 50, listing.getMtu());
        assertEquals("vxlan-42", listing.getTunnelPort());
        final int tunnel = daemon().overlay.tunnelPort(daemon().plane.networks().index("ov"));
        assertEquals(underlayMtu - 50, daemon().dataplane.snapshot().port(tunnel).mtu);

        final CreateNetworkResponse geneve = create(overlayNetwork("gv", 42).setSubnet("10.60.0.0/24").setEncap("geneve"));
        assertEquals("overlay", geneve.getNetwork().getDriver());
        assertEquals(underlayMtu - 50, vteps("gv").getMtu(), "Geneve without options adds what VXLAN does");
    }

    @Test
    void badOverlayNetworksAreRefusedWithTheirReason()
    {
        final int limit = setUnderlay().getUnderlay().getVxlanMtu();
        create(overlayNetwork("ov", 42));

        assertRefused(Status.Code.ALREADY_EXISTS, "VNI 42 (vxlan) is network \"ov\"'s already",
            o -> daemon().networks.create(overlayNetwork("ov2", 42).setSubnet("10.60.0.0/24").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "an overlay network needs --vni (1 to 16777215)",
            o -> daemon().networks.create(overlayNetwork("ov2", 0).setSubnet("10.60.0.0/24").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "VNI 16777216 is out of range 1..16777215",
            o -> daemon().networks.create(overlayNetwork("ov2", 1 << 24).setSubnet("10.60.0.0/24").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "unknown encapsulation \"gre\" (vxlan or geneve)",
            o -> daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setEncap("gre").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "MTU 40 is below 68",
            o -> daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setMtu(40).build(), o));
        final Status.Code tooBig = Status.Code.FAILED_PRECONDITION;
        final RecordingObserver<CreateNetworkResponse> observer = new RecordingObserver<>();
        daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setMtu(limit + 1).build(), observer);
        assertEquals(tooBig, observer.status().getCode());
        assertTrue(observer.status().getDescription().startsWith("MTU " + (limit + 1) + " does not fit the underlay: at most " + limit),
            observer.status().getDescription());
        assertRefused(Status.Code.INVALID_ARGUMENT, "unknown network driver \"macvlan\" (drivers: bridge, overlay)",
            o -> daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setDriver("macvlan").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT,
            "host address 10.60.0.1 is the gateway, which every host shares: give each host an address of its own",
            o -> daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setHostAddress("10.60.0.1").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "host address 10.61.0.9 is outside the subnet 10.60.0.0/24",
            o -> daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setHostAddress("10.61.0.9").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "invalid host address: \"10.60.0\" is not an IPv4 address",
            o -> daemon().networks.create(overlayNetwork("ov2", 7).setSubnet("10.60.0.0/24").setHostAddress("10.60.0").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT,
            "--vni, --encap, --mtu, --mss-clamp, --learning and --host-address are options of overlay networks (--driver overlay)",
            o -> daemon().networks.create(overlayNetwork("br", 7).setSubnet("10.60.0.0/24").setDriver("").build(), o));
        assertRefused(Status.Code.FAILED_PRECONDITION, "the underlay carries overlay network(s) \"ov\": remove them first",
            o -> daemon().overlays.removeUnderlay(RemoveUnderlayRequest.getDefaultInstance(), o));
    }

    @Test
    void aRemoteEndpointIsAStaticEntryBehindItsVtepThatLearningCannotMove()
    {
        setUnderlay();
        create(overlayNetwork("ov", 42));
        addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE));

        final AddVtepResponse endpoint = addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE).setMac(REMOTE_MAC).setIp("10.50.0.3"));

        assertEquals(REMOTE, endpoint.getVtep().getAddress());
        assertEquals(REMOTE_MAC, endpoint.getVtep().getEndpoints(0).getMac());
        final NetworkState network = daemon().dataplane.snapshot().network(daemon().plane.networks().index("ov"));
        final long entry = network.fdb.lookupEntry(MacAddress.parse(REMOTE_MAC), 0);
        assertEquals(daemon().overlay.tunnelPort(network.index), FdbTable.portOf(entry));
        assertEquals(Ipv4Address.parse(REMOTE), FdbTable.peerOf(entry), "the entry's peer is the VTEP's address");
        assertEquals(FdbTable.STATIC_CONFLICT, network.fdb.learn(MacAddress.parse(REMOTE_MAC), 0, 7, 0, 1, 100),
            "a frame claiming the endpoint's MAC elsewhere does not move it");
        assertEquals(MacAddress.parse(REMOTE_MAC),
            daemon().overlay.tables().proxyArpMac(network.index, Ipv4Address.parse("10.50.0.3")), "ARP for it is answered here");
        assertEquals(MacAddress.parse(REMOTE_MAC), network.neighbours.lookup(Ipv4Address.parse("10.50.0.3"), Long.MAX_VALUE / 8),
            "the gateway knows it for good: no ARP to it is needed to route to it");
        assertEquals(1, vteps("ov").getVtepsCount());
        final RecordingObserver<dev.wharf.control.api.v1.ShowFdbResponse> shown = new RecordingObserver<>();
        daemon().fdb.show(dev.wharf.control.api.v1.ShowFdbRequest.newBuilder().setNetwork("ov").build(), shown);
        final dev.wharf.control.api.v1.FdbEntry row = shown.response().getEntries(0);
        assertEquals(List.of(REMOTE_MAC, "vxlan-42", REMOTE), List.of(row.getMac(), row.getPort(), row.getVtep()), "fdb show names the VTEP");
    }

    @Test
    void badVtepsAreRefusedWithTheirReason()
    {
        setUnderlay();
        create(overlayNetwork("ov", 42));
        create(CreateNetworkRequest.newBuilder().setName("br").setSubnet("10.60.0.0/24"));
        addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE).setMac(REMOTE_MAC).setIp("10.50.0.3"));

        assertRefused(Status.Code.NOT_FOUND, "network \"nope\" not found",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("nope").setVtep(REMOTE).build(), o));
        assertRefused(Status.Code.FAILED_PRECONDITION, "network \"br\" is not an overlay network (it was created as a bridge)",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("br").setVtep(REMOTE).build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "VTEP " + local + " is this host's own underlay address",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(local).build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "VTEP 224.0.0.5 is not a unicast address of a host",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep("224.0.0.5").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "invalid VTEP: \"10.200.0\" is not an IPv4 address",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep("10.200.0").build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "an endpoint's --ip needs its --mac",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE).setIp("10.50.0.4").build(), o));
        assertRefused(Status.Code.ALREADY_EXISTS, "endpoint " + REMOTE_MAC + " is behind VTEP " + REMOTE + " already",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep("10.200.0.9").setMac(REMOTE_MAC).build(), o));
        assertRefused(Status.Code.INVALID_ARGUMENT, "endpoint address 10.60.0.3 is outside the subnet 10.50.0.0/24",
            o -> daemon().overlays.addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE).setMac("02:42:0a:32:00:04")
                .setIp("10.60.0.3").build(), o));
        assertRefused(Status.Code.NOT_FOUND, "no VTEP 10.200.0.9 on network \"ov\"",
            o -> daemon().overlays.removeVtep(RemoveVtepRequest.newBuilder().setNetwork("ov").setVtep("10.200.0.9").build(), o));
    }

    @Test
    void theOverlayComesBackAfterARestartAndGoesWithItsNetwork() throws Exception
    {
        setUnderlay();
        create(overlayNetwork("ov", 42).setEncap("geneve").setLearning(false).setMssClamp(false));
        addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE).setMac(REMOTE_MAC).setIp("10.50.0.3"));
        addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep("10.200.0.3"));
        daemon.close();

        daemon = new Daemon(stateDirectory).restored();

        final RecordingObserver<ShowUnderlayResponse> shown = new RecordingObserver<>();
        daemon.overlays.showUnderlay(ShowUnderlayRequest.getDefaultInstance(), shown);
        assertEquals("up", shown.response().getUnderlay().getState());
        final ListVtepsResponse listing = vteps("ov");
        assertEquals("geneve", listing.getEncap());
        assertFalse(listing.getLearning());
        assertFalse(listing.getMssClamp());
        assertEquals(List.of(REMOTE, "10.200.0.3"), listing.getVtepsList().stream().map(v -> v.getAddress()).toList());
        final int index = daemon.plane.networks().index("ov");
        final int tunnel = daemon.overlay.tunnelPort(index);
        assertTrue(tunnel >= 0, "the tunnel port is back");
        assertFalse(daemon.dataplane.snapshot().port(tunnel).learns, "learning stays off");
        assertEquals(0, daemon.overlay.tables().tunnelAt(tunnel).clampMss, "no MSS clamp");
        assertEquals(Ipv4Address.parse(REMOTE),
            FdbTable.peerOf(daemon.dataplane.snapshot().network(index).fdb.lookupEntry(MacAddress.parse(REMOTE_MAC), 0)));

        final RecordingObserver<dev.wharf.control.api.v1.RemoveNetworkResponse> removed = new RecordingObserver<>();
        daemon.networks.remove(RemoveNetworkRequest.newBuilder().setName("ov").build(), removed);
        assertNotNull(removed.response());
        assertEquals(null, daemon.dataplane.snapshot().port(tunnel), "the tunnel port went with its network");
        assertFalse(daemon.overlay.isOverlay(index));
        final RecordingObserver<dev.wharf.control.api.v1.RemoveUnderlayResponse> underlayRemoved = new RecordingObserver<>();
        daemon.overlays.removeUnderlay(RemoveUnderlayRequest.getDefaultInstance(), underlayRemoved);
        assertNotNull(underlayRemoved.response());
    }

    @Test
    void anUnderlayAddressGoneAtRestartLeavesTheOverlayDownNotTheDaemon() throws Exception
    {
        setUnderlay();
        create(overlayNetwork("ov", 42));
        addVtep(AddVtepRequest.newBuilder().setNetwork("ov").setVtep(REMOTE));
        daemon.close();
        final Path file = stateDirectory.resolve("state.json");
        java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file).replace("\"" + local + "\"", "\"192.0.2.1\""));

        daemon = new Daemon(stateDirectory).restored();

        final RecordingObserver<ShowUnderlayResponse> shown = new RecordingObserver<>();
        daemon.overlays.showUnderlay(ShowUnderlayRequest.getDefaultInstance(), shown);
        assertEquals("down", shown.response().getUnderlay().getState());
        assertEquals("cannot set the underlay: 192.0.2.1 is not an address of this host", shown.response().getUnderlay().getStateReason());
        assertEquals(List.of(REMOTE), vteps("ov").getVtepsList().stream().map(v -> v.getAddress()).toList(), "the desired VTEPs are kept");
        assertEquals(-1, daemon.overlay.tunnelPort(daemon.plane.networks().index("ov")), "no tunnel while the underlay is down");

        final SetUnderlayResponse set = setUnderlay();

        assertEquals("up", set.getUnderlay().getState());
        final int tunnel = daemon.overlay.tunnelPort(daemon.plane.networks().index("ov"));
        assertTrue(tunnel >= 0, "setting a good underlay brings the overlay networks' tunnels up");
        assertEquals(List.of(Ipv4Address.parse(REMOTE)), daemon.overlay.vteps(daemon.plane.networks().index("ov")).stream()
            .map(Overlay.Vtep::address).toList());
    }

    @Test
    void theClusterProgramsRemoteEndpointsChangingOnlyTheDifferenceAndPublishesTheTablesOncePerBatch()
    {
        setUnderlay();
        create(overlayNetwork("ov", 42));
        final int index = daemon().plane.networks().index("ov");
        final int vtepA = Ipv4Address.parse("10.200.0.2");
        final int vtepB = Ipv4Address.parse("10.200.0.3");
        final int vtepC = Ipv4Address.parse("10.200.0.4");
        final long m1 = MacAddress.parse("02:42:0a:32:00:0b");
        final long m2 = MacAddress.parse("02:42:0a:32:00:0c");
        final long m3 = MacAddress.parse("02:42:0a:32:00:0d");
        final int ip1 = Ipv4Address.parse("10.50.0.11");
        final int ip2 = Ipv4Address.parse("10.50.0.12");
        final int ip3 = Ipv4Address.parse("10.50.0.13");
        final int moved = Ipv4Address.parse("10.50.0.19");

        final int first = daemon().plane.overlay().programRemote("ov",
            Map.of(vtepA, Map.of(m1, ip1, m2, ip2), vtepB, Map.of(m3, ip3), vtepC, Map.of()));

        assertEquals(6, first, "three VTEPs and three endpoints");
        assertEquals(Set.of(vtepA, vtepB, vtepC), daemon().overlay.vteps(index).stream().map(Overlay.Vtep::address).collect(Collectors.toSet()));
        assertEquals(m3, daemon().overlay.tables().proxyArpMac(index, ip3));
        assertEquals(vtepB, FdbTable.peerOf(daemon().dataplane.snapshot().network(index).fdb.lookupEntry(m3, 0)));

        final int second = daemon().plane.overlay().programRemote("ov", Map.of(vtepA, Map.of(m1, ip1, m2, moved), vtepC, Map.of(m3, ip3)));

        assertEquals(5, second, "m2's address changed (out and in), B went with its endpoint, m3 came back behind C");
        assertEquals(3, daemon().plane.overlay().remoteEndpointCount());
        assertEquals(m1, daemon().overlay.tables().proxyArpMac(index, ip1));
        assertEquals(m2, daemon().overlay.tables().proxyArpMac(index, moved));
        assertEquals(0, daemon().overlay.tables().proxyArpMac(index, ip2), "the old address is no longer answered");
        assertEquals(vtepC, FdbTable.peerOf(daemon().dataplane.snapshot().network(index).fdb.lookupEntry(m3, 0)), "m3 is behind C now");
        assertEquals(0, daemon().plane.overlay().programRemote("ov", Map.of(vtepA, Map.of(m1, ip1, m2, moved), vtepC, Map.of(m3, ip3))),
            "the same endpoints again change nothing");

        final var before = daemon().overlay.tables();
        final var during = daemon().overlay.batch(() ->
        {
            daemon().overlay.addEndpoint(index, vtepA, MacAddress.parse("02:42:0a:32:00:0e"), Ipv4Address.parse("10.50.0.14"));
            daemon().overlay.removeVtep(index, vtepC);
            return daemon().overlay.tables();
        });
        assertSame(before, during, "nothing is published inside a batch");
        assertEquals(MacAddress.parse("02:42:0a:32:00:0e"), daemon().overlay.tables().proxyArpMac(index, Ipv4Address.parse("10.50.0.14")));
        assertEquals(0, daemon().overlay.tables().proxyArpMac(index, ip3), "both changes are published at its end");
    }
}
