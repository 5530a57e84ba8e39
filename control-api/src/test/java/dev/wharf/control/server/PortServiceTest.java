package dev.wharf.control.server;

import dev.wharf.control.api.v1.AttachPortRequest;
import dev.wharf.control.api.v1.AttachPortResponse;
import dev.wharf.control.api.v1.DetachPortRequest;
import dev.wharf.control.api.v1.DetachPortResponse;
import dev.wharf.control.api.v1.FdbEntry;
import dev.wharf.control.api.v1.FdbEntryType;
import dev.wharf.control.api.v1.ListPortsRequest;
import dev.wharf.control.api.v1.ListPortsResponse;
import dev.wharf.control.api.v1.Port;
import dev.wharf.control.api.v1.PortKind;
import dev.wharf.control.api.v1.ShowFdbRequest;
import dev.wharf.control.api.v1.ShowFdbResponse;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.config.PortBinding;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortServiceTest extends ServiceTestSupport
{
    @BeforeEach
    void networks()
    {
        createNetwork("front", "10.10.0.0/24");
        createNetwork("back", "10.20.0.0/24");
    }

    private void attachRejected(final Status.Code code, final String message, final AttachPortRequest request)
    {
        assertRejected(code, message, observer -> fixture.ports.attach(request, observer));
    }

    private ShowFdbResponse fdb(final String network)
    {
        final RecordingObserver<ShowFdbResponse> observer = new RecordingObserver<>();
        fixture.fdb.show(ShowFdbRequest.newBuilder().setNetwork(network).build(), observer);
        return observer.response();
    }

    @Test
    void attachesAnAfPacketPortWithItsAddresses()
    {
        final Port port = attach(port("front", "veth-c1").setIp("10.10.0.2").setMac("02:42:0A:0A:00:02").build()).getPort();
        assertEquals("veth-c1", port.getName());
        assertEquals("front", port.getNetwork());
        assertEquals(PortKind.PORT_KIND_AF_PACKET, port.getKind());
        assertEquals("10.10.0.2", port.getIp());
        assertEquals("02:42:0a:0a:00:02", port.getMac());
        assertEquals(1500, port.getMtu());
        assertEquals("af_packet", fixture.opener.lastOpened().kind());

        final PortBinding binding = fixture.dataplane.snapshot().port(0);
        assertEquals("veth-c1", binding.port.name());
        assertFalse(binding.trunk);
        assertEquals(0, binding.accessVlan);
        assertEquals(new PortSpec("veth-c1", "front", dev.wharf.control.state.PortKind.AF_PACKET, 0x0A0A_0002, 0x0242_0A0A_0002L, 0,
            List.of(), 0), fixture.networkState().port("veth-c1"));
    }

    @Test
    void theMacBecomesAStaticFdbEntryOnThePortsVlan()
    {
        attach(port("front", "veth-c2").setMac("aa:bb:cc:00:00:03").setVlan(10).build());
        final List<FdbEntry> entries = fdb("front").getEntriesList();
        assertEquals(1, entries.size());
        assertEquals("aa:bb:cc:00:00:03", entries.get(0).getMac());
        assertEquals(10, entries.get(0).getVlan());
        assertEquals("veth-c2", entries.get(0).getPort());
        assertEquals(FdbEntryType.FDB_ENTRY_TYPE_STATIC, entries.get(0).getType());
        assertEquals(0, entries.get(0).getAgeMs());
    }

    @Test
    void aTrunkCarriesItsVlansSortedOnceAndItsMacIsUntagged()
    {
        final Port port = attach(port("front", "veth-c3").addAllTrunkVlans(List.of(20, 10, 20)).setMac("aa:bb:cc:00:00:04").build()).getPort();
        assertEquals(List.of(10, 20), port.getTrunkVlansList());
        final PortBinding binding = fixture.dataplane.snapshot().port(0);
        assertTrue(binding.trunk);
        assertTrue(binding.carries(10) && binding.carries(20) && !binding.carries(30));
        assertEquals(0, fdb("front").getEntries(0).getVlan());
    }

    @Test
    void theMacLimitComesFromThePortElseTheNetworkElseTheDefault()
    {
        assertEquals(1024, attach(port("front", "veth-c1").build()).getPort().getMacLimit());
        assertEquals(8, attach(port("front", "veth-c2").setMacLimit(8).build()).getPort().getMacLimit());
        final RecordingObserver<dev.wharf.control.api.v1.CreateNetworkResponse> created = new RecordingObserver<>();
        fixture.networks.create(dev.wharf.control.api.v1.CreateNetworkRequest.newBuilder()
            .setName("limited").setSubnet("10.30.0.0/24").setMacLimit(16).build(), created);
        created.response();
        assertEquals(16, attach(port("limited", "veth-c3").build()).getPort().getMacLimit());
    }

    @Test
    void attachesATapPortWithoutAnExistingInterface()
    {
        final Port port = attach(port("back", "tap-c3").setKind(PortKind.PORT_KIND_TAP).setIp("10.20.0.2").build()).getPort();
        assertEquals(PortKind.PORT_KIND_TAP, port.getKind());
        assertEquals("tap", fixture.opener.lastOpened().kind());
    }

    @Test
    void detachClosesThePortAndForgetsItsEntries()
    {
        attach(port("front", "veth-c1").setIp("10.10.0.2").setMac("aa:bb:cc:00:00:02").build());
        final FakePortOpener.TrackedPort opened = fixture.opener.lastOpened();
        final RecordingObserver<DetachPortResponse> observer = new RecordingObserver<>();
        fixture.ports.detach(DetachPortRequest.newBuilder().setNetwork("front").setName("veth-c1").build(), observer);
        observer.response();

        assertTrue(opened.isClosed());
        assertEquals(0, fixture.dataplane.snapshot().attachedPorts().length);
        assertEquals(0, fdb("front").getEntriesCount());
        assertTrue(fixture.networkState().ports().isEmpty());
        // the name and the addresses are free again
        attach(port("front", "veth-c1").setIp("10.10.0.2").setMac("aa:bb:cc:00:00:02").build());
    }

    @Test
    void listsPortsOfAllOrOneNetwork()
    {
        attach(port("front", "veth-c1").build());
        attach(port("back", "veth-b1").build());
        final RecordingObserver<ListPortsResponse> all = new RecordingObserver<>();
        fixture.ports.list(ListPortsRequest.getDefaultInstance(), all);
        assertEquals(List.of("veth-c1", "veth-b1"), all.response().getPortsList().stream().map(Port::getName).toList());
        final RecordingObserver<ListPortsResponse> back = new RecordingObserver<>();
        fixture.ports.list(ListPortsRequest.newBuilder().setNetwork("back").build(), back);
        assertEquals(List.of("veth-b1"), back.response().getPortsList().stream().map(Port::getName).toList());
        assertRejected(Status.Code.NOT_FOUND, "network \"nope\" not found",
            observer -> fixture.ports.list(ListPortsRequest.newBuilder().setNetwork("nope").build(), observer));
    }

    @ParameterizedTest(name = "interface \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "''                  | interface name is required",
        "veth-with-long-name | invalid interface name \"veth-with-long-name\": use 1 to 15 letters, digits, '_', '.' or '-'",
        "a/b                 | invalid interface name \"a/b\": use 1 to 15 letters, digits, '_', '.' or '-'",
        "..                  | invalid interface name \"..\": use 1 to 15 letters, digits, '_', '.' or '-'",
        "'veth c1'           | invalid interface name \"veth c1\": use 1 to 15 letters, digits, '_', '.' or '-'"})
    void refusesABadInterfaceName(final String name, final String message)
    {
        attachRejected(Status.Code.INVALID_ARGUMENT, message, port("front", name).build());
    }

    @ParameterizedTest(name = "ip \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "10.10.0.300    | invalid IP: \"10.10.0.300\" is not an IPv4 address",
        "10.10.0.2/24   | invalid IP: \"10.10.0.2/24\" is not an IPv4 address",
        "container      | invalid IP: \"container\" is not an IPv4 address",
        "010.010.000.003 | invalid IP: \"010.010.000.003\" has an octet with a leading zero (some tools read it as octal); write the octets in decimal without leading zeros",
        "10.20.0.2      | IP 10.20.0.2 is outside the subnet 10.10.0.0/24",
        "10.10.0.0      | IP 10.10.0.0 is the network address of 10.10.0.0/24",
        "10.10.0.255    | IP 10.10.0.255 is the broadcast address of 10.10.0.0/24",
        "10.10.0.1      | IP 10.10.0.1 is the gateway of network \"front\""})
    void refusesABadIp(final String ip, final String message)
    {
        attachRejected(Status.Code.INVALID_ARGUMENT, message, port("front", "veth-c1").setIp(ip).build());
    }

    @ParameterizedTest(name = "mac \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "aa:bb:cc:dd:ee       | invalid MAC address \"aa:bb:cc:dd:ee\": expected aa:bb:cc:dd:ee:ff",
        "zz:bb:cc:dd:ee:ff    | invalid MAC address \"zz:bb:cc:dd:ee:ff\": expected aa:bb:cc:dd:ee:ff",
        "a:b:c:d:e:f          | invalid MAC address \"a:b:c:d:e:f\": expected aa:bb:cc:dd:ee:ff",
        "00:00:00:00:00:00    | invalid MAC address \"00:00:00:00:00:00\": all zeros",
        "01:00:5e:00:00:01    | invalid MAC address \"01:00:5e:00:00:01\": multicast; a port's MAC must be unicast",
        "ff:ff:ff:ff:ff:ff    | invalid MAC address \"ff:ff:ff:ff:ff:ff\": multicast; a port's MAC must be unicast"})
    void refusesABadMac(final String mac, final String message)
    {
        attachRejected(Status.Code.INVALID_ARGUMENT, message, port("front", "veth-c1").setMac(mac).build());
    }

    @Test
    void portSecurityBindsTheDataplanePortToItsMacAndIpAndIsKeptInTheState()
    {
        final Port port = attach(port("front", "veth-c1").setIp("10.10.0.2").setMac("02:42:0a:0a:00:02").setPortSecurity(true).build()).getPort();
        assertTrue(port.getPortSecurity());

        final PortBinding binding = fixture.dataplane.snapshot().port(0);
        assertTrue(binding.secured);
        assertEquals(0x0242_0A0A_0002L, binding.securedMac);
        assertEquals(0x0A0A_0002, binding.securedIp);
        assertTrue(fixture.networkState().port("veth-c1").portSecurity());
        assertEquals(0, fixture.dataplane.snapshot().network(binding.network).fdb.lookup(0x0242_0A0A_0002L, 0), "the MAC is pinned to the port");
    }

    @Test
    void refusesPortSecurityWithoutAnIp()
    {
        attachRejected(Status.Code.INVALID_ARGUMENT, "--port-security needs --ip: the port may send only from its own address",
            port("front", "veth-c1").setMac("02:42:0a:0a:00:02").setPortSecurity(true).build());
        attachRejected(Status.Code.INVALID_ARGUMENT, "--port-security on an AF_PACKET port needs --mac: the host end's MAC is not the container's",
            port("front", "veth-c1").setIp("10.10.0.2").setPortSecurity(true).build());
        assertEquals(null, fixture.dataplane.snapshot().port(0), "nothing attached");
    }

    @Test
    void refusesTheGatewaysMac()
    {
        final String gatewayMac = dev.wharf.dataplane.protocol.MacAddress.toString(fixture.networkState().network("front").gatewayMac());
        attachRejected(Status.Code.INVALID_ARGUMENT, "MAC " + gatewayMac + " is the gateway MAC of network \"front\"",
            port("front", "veth-c1").setMac(gatewayMac).build());
    }

    @Test
    void refusesVlansOutOfRange()
    {
        attachRejected(Status.Code.INVALID_ARGUMENT, "VLAN 4095 is out of range 1..4094", port("front", "veth-c1").setVlan(4095).build());
        attachRejected(Status.Code.INVALID_ARGUMENT, "VLAN 4294967295 is out of range 1..4094", port("front", "veth-c1").setVlan(-1).build());
        attachRejected(Status.Code.INVALID_ARGUMENT, "VLAN 0 is out of range 1..4094", port("front", "veth-c1").addTrunkVlans(0).build());
        attachRejected(Status.Code.INVALID_ARGUMENT, "VLAN 5000 is out of range 1..4094",
            port("front", "veth-c1").addTrunkVlans(10).addTrunkVlans(5000).build());
        attachRejected(Status.Code.INVALID_ARGUMENT, "a port is either an access port (--vlan) or a trunk (--trunk), not both",
            port("front", "veth-c1").setVlan(10).addTrunkVlans(20).build());
    }

    @Test
    void refusesAMacLimitAboveTheFdbSize()
    {
        attachRejected(Status.Code.INVALID_ARGUMENT, "MAC limit 70000 is out of range 1..65536", port("front", "veth-c1").setMacLimit(70_000).build());
    }

    @Test
    void unknownNetworkAndMissingInterfaceAreNotFound()
    {
        attachRejected(Status.Code.NOT_FOUND, "network \"nope\" not found", port("nope", "veth-c1").build());
        attachRejected(Status.Code.NOT_FOUND, "interface \"veth-c9\" not found (use --tap to create a TAP device)",
            port("front", "veth-c9").build());
    }

    @Test
    void refusesADuplicatePortIpOrMac()
    {
        attach(port("front", "veth-c1").setIp("10.10.0.2").setMac("aa:bb:cc:00:00:02").build());
        attachRejected(Status.Code.ALREADY_EXISTS, "port \"veth-c1\" is already attached to network \"front\"",
            port("front", "veth-c1").setIp("10.10.0.3").build());
        attachRejected(Status.Code.ALREADY_EXISTS, "port \"veth-c1\" is already attached to network \"front\"",
            port("back", "veth-c1").build());
        attachRejected(Status.Code.ALREADY_EXISTS, "IP 10.10.0.2 is already used by port \"veth-c1\" in network \"front\"",
            port("front", "veth-c2").setIp("10.10.0.2").build());
        attachRejected(Status.Code.ALREADY_EXISTS, "MAC aa:bb:cc:00:00:02 is already used by port \"veth-c1\" in network \"front\"",
            port("front", "veth-c2").setMac("AA-BB-CC-00-00-02").build());
        // the same MAC in another network is another segment: allowed
        attach(port("back", "veth-b1").setMac("aa:bb:cc:00:00:02").build());
    }

    @Test
    void aPortWhoseLinkIsDownIsShownDownWithWhyAndUpOnceItIs()
    {
        fixture.opener.link("veth-c1", "down", 0x1002);
        final Port attached = attach(port("front", "veth-c1").build()).getPort();
        assertEquals(List.of("down", "link down: the interface is set down"), List.of(attached.getState(), attached.getStateReason()));
        assertEquals(1500, attached.getMtu(), "attached all the same: it forwards once the link comes up");
        assertEquals("veth-c1", fixture.dataplane.snapshot().port(0).port.name());

        for (final String operState : List.of("down", "lowerlayerdown"))
        {
            fixture.opener.link("veth-c1", operState, 0x1003);
            final Port peerDown = listPorts().getPorts(0);
            assertEquals(List.of("down", "link down: no carrier (a veth whose peer is down)"),
                List.of(peerDown.getState(), peerDown.getStateReason()), operState);
        }
        fixture.opener.link("veth-c1", "dormant", -1);
        assertEquals("link dormant", listPorts().getPorts(0).getStateReason());

        fixture.opener.link("veth-c1", "up", 0x1003);
        final Port up = listPorts().getPorts(0);
        assertEquals(List.of("up", ""), List.of(up.getState(), up.getStateReason()));
        fixture.opener.link("veth-c1", "unknown", 0x1003);
        assertEquals("up", listPorts().getPorts(0).getState(), "a driver that does not report it may well pass frames");
    }

    private ListPortsResponse listPorts()
    {
        final RecordingObserver<ListPortsResponse> observer = new RecordingObserver<>();
        fixture.ports.list(ListPortsRequest.getDefaultInstance(), observer);
        return observer.response();
    }

    @Test
    void aPortTheKernelWillNotOpenIsNotRecorded()
    {
        fixture.opener.failNextOpen("veth-c1: socket(AF_PACKET): Operation not permitted");
        attachRejected(Status.Code.FAILED_PRECONDITION,
            "cannot open interface \"veth-c1\": veth-c1: socket(AF_PACKET): Operation not permitted",
            port("front", "veth-c1").setIp("10.10.0.2").setMac("aa:bb:cc:00:00:02").build());
        assertEquals(0, fdb("front").getEntriesCount());
        // nothing was recorded: the same request succeeds once the interface opens
        attach(port("front", "veth-c1").setIp("10.10.0.2").setMac("aa:bb:cc:00:00:02").build());
    }

    @Test
    void detachRefusesUnknownNetworksAndPorts()
    {
        attach(port("back", "veth-b1").build());
        assertRejected(Status.Code.NOT_FOUND, "network \"nope\" not found", observer ->
            fixture.ports.detach(DetachPortRequest.newBuilder().setNetwork("nope").setName("veth-b1").build(), observer));
        assertRejected(Status.Code.NOT_FOUND, "port \"veth-c2\" not found in network \"front\"", observer ->
            fixture.ports.detach(DetachPortRequest.newBuilder().setNetwork("front").setName("veth-c2").build(), observer));
        assertRejected(Status.Code.NOT_FOUND, "port \"veth-b1\" is attached to network \"back\", not \"front\"",
            observer ->
                fixture.ports.detach(DetachPortRequest.newBuilder().setNetwork("front").setName("veth-b1").build(), observer));
    }
}
