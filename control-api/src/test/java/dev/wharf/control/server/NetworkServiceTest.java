package dev.wharf.control.server;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.CreateNetworkResponse;
import dev.wharf.control.api.v1.InspectNetworkRequest;
import dev.wharf.control.api.v1.InspectNetworkResponse;
import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.api.v1.ListNetworksResponse;
import dev.wharf.control.api.v1.Network;
import dev.wharf.control.api.v1.RemoveNetworkRequest;
import dev.wharf.control.api.v1.RemoveNetworkResponse;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkServiceTest extends ServiceTestSupport
{
    @Test
    void createsWithTheFirstAddressAsGatewayAndADerivedLocalMac()
    {
        final Network network = createNetwork("front", "10.10.0.0/24").getNetwork();
        assertEquals("front", network.getName());
        assertEquals("10.10.0.0/24", network.getSubnet());
        assertEquals("10.10.0.1", network.getGateway());
        assertTrue(network.getGatewayMac().startsWith("02:57:48:"), network.getGatewayMac());
        assertEquals(0, network.getPortCount());

        final var state = fixture.dataplane.snapshot().network(0);
        assertEquals("front", state.name);
        assertEquals(0x0A0A_0001, state.gatewayIp);
        assertEquals(24, state.prefixLength);
    }

    @Test
    void takesAnExplicitGatewayAndMacLimit()
    {
        final RecordingObserver<CreateNetworkResponse> observer = new RecordingObserver<>();
        fixture.networks.create(CreateNetworkRequest.newBuilder()
            .setName("back").setSubnet("10.20.0.0/24").setGateway("10.20.0.254").setMacLimit(64).build(), observer);
        final Network network = observer.response().getNetwork();
        assertEquals("10.20.0.254", network.getGateway());
        assertEquals(64, network.getMacLimit());
    }

    @Test
    void networksGetDistinctGatewayMacs()
    {
        final String a = createNetwork("front", "10.10.0.0/24").getNetwork().getGatewayMac();
        final String b = createNetwork("back", "10.20.0.0/24").getNetwork().getGatewayMac();
        assertNotEquals(a, b);
    }

    @Test
    void listsInCreationOrderAndInspectsWithPorts()
    {
        createNetwork("front", "10.10.0.0/24");
        createNetwork("back", "10.20.0.0/24");
        attach(port("front", "veth-c1").setIp("10.10.0.2").build());

        final RecordingObserver<ListNetworksResponse> list = new RecordingObserver<>();
        fixture.networks.list(ListNetworksRequest.getDefaultInstance(), list);
        assertEquals(2, list.response().getNetworksCount());
        assertEquals("front", list.response().getNetworks(0).getName());
        assertEquals(1, list.response().getNetworks(0).getPortCount());
        assertEquals("back", list.response().getNetworks(1).getName());

        final RecordingObserver<InspectNetworkResponse> inspect = new RecordingObserver<>();
        fixture.networks.inspect(InspectNetworkRequest.newBuilder().setName("front").build(), inspect);
        assertEquals(1, inspect.response().getPortsCount());
        assertEquals("veth-c1", inspect.response().getPorts(0).getName());
        assertEquals("10.10.0.2", inspect.response().getPorts(0).getIp());
    }

    @Test
    void removesAnEmptyNetworkAndItsNameCanBeReused()
    {
        createNetwork("back", "10.20.0.0/24");
        final RecordingObserver<RemoveNetworkResponse> observer = new RecordingObserver<>();
        fixture.networks.remove(RemoveNetworkRequest.newBuilder().setName("back").build(), observer);
        observer.response();
        assertTrue(fixture.networkState().networks().isEmpty());
        assertEquals(null, fixture.dataplane.snapshot().network(0));
        createNetwork("back", "10.20.0.0/24");
    }

    @ParameterizedTest(name = "name \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "''            | network name is required",
        "-front        | invalid network name \"-front\": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        "my net        | invalid network name \"my net\": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        "a/b           | invalid network name \"a/b\": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | " +
            "invalid network name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"})
    void refusesABadName(final String name, final String message)
    {
        assertRejected(Status.Code.INVALID_ARGUMENT, message, observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName(name).setSubnet("10.10.0.0/24").build(), observer));
    }

    @Test
    void aLongValueIsQuotedCutWithItsLength()
    {
        final String name = "b".repeat(200);
        assertRejected(Status.Code.INVALID_ARGUMENT, "invalid network name \"" + "b".repeat(100) + "...\" (200 characters): use 1 to 64 " +
            "letters, digits, '_', '.' or '-', starting with a letter or digit", observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName(name).setSubnet("10.10.0.0/24").build(), observer));
    }

    @ParameterizedTest(name = "subnet \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "''                | subnet is required (e.g. 10.10.0.0/24)",
        "10.10.0.0         | invalid subnet \"10.10.0.0\": expected CIDR like 10.10.0.0/24",
        "10.10.0/24        | invalid subnet \"10.10.0/24\": expected CIDR like 10.10.0.0/24",
        "front/24          | invalid subnet \"front/24\": expected CIDR like 10.10.0.0/24",
        "10.10.0.0/x       | invalid subnet \"10.10.0.0/x\": expected CIDR like 10.10.0.0/24",
        "10.10.0.256/24    | invalid subnet \"10.10.0.256/24\": \"10.10.0.256\" is not an IPv4 address",
        "10.10.0.0/0       | invalid subnet \"10.10.0.0/0\": prefix length must be 1 to 30",
        "10.10.0.0/31      | invalid subnet \"10.10.0.0/31\": prefix length must be 1 to 30",
        "10.10.0.0/33      | invalid subnet \"10.10.0.0/33\": prefix length must be 1 to 30",
        "10.10.0.5/24      | invalid subnet \"10.10.0.5/24\": host bits set (did you mean 10.10.0.0/24?)",
        "127.0.0.0/8       | invalid subnet \"127.0.0.0/8\": 0.0.0.0/8, loopback, multicast and reserved addresses cannot be a network",
        "224.1.0.0/16      | invalid subnet \"224.1.0.0/16\": 0.0.0.0/8, loopback, multicast and reserved addresses cannot be a network",
        "010.010.000.000/24 | invalid subnet \"010.010.000.000/24\": \"010.010.000.000\" has an octet with a leading zero (some tools read it as octal); write the octets in decimal without leading zeros"})
    void refusesABadSubnet(final String subnet, final String message)
    {
        assertRejected(Status.Code.INVALID_ARGUMENT, message, observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName("front").setSubnet(subnet).build(), observer));
    }

    @ParameterizedTest(name = "gateway \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "10.20.0.1      | gateway 10.20.0.1 is outside the subnet 10.10.0.0/24",
        "10.10.0.0      | gateway 10.10.0.0 is the network address of 10.10.0.0/24",
        "10.10.0.255    | gateway 10.10.0.255 is the broadcast address of 10.10.0.0/24",
        "10.10.0        | invalid gateway: \"10.10.0\" is not an IPv4 address",
        "gw             | invalid gateway: \"gw\" is not an IPv4 address",
        "10.10.0.01     | invalid gateway: \"10.10.0.01\" has an octet with a leading zero (some tools read it as octal); write the octets in decimal without leading zeros",
        "010.010.000.003 | invalid gateway: \"010.010.000.003\" has an octet with a leading zero (some tools read it as octal); write the octets in decimal without leading zeros"})
    void refusesABadGateway(final String gateway, final String message)
    {
        assertRejected(Status.Code.INVALID_ARGUMENT, message, observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName("front").setSubnet("10.10.0.0/24").setGateway(gateway).build(), observer));
    }

    @Test
    void refusesAMacLimitAboveTheFdbSize()
    {
        assertRejected(Status.Code.INVALID_ARGUMENT, "MAC limit 70000 is out of range 1..65536", observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName("front").setSubnet("10.10.0.0/24").setMacLimit(70_000).build(), observer));
        assertRejected(Status.Code.INVALID_ARGUMENT, "MAC limit 4294967295 is out of range 1..65536", observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName("front").setSubnet("10.10.0.0/24").setMacLimit(-1).build(), observer));
    }

    @Test
    void refusesADuplicateName()
    {
        createNetwork("front", "10.10.0.0/24");
        assertRejected(Status.Code.ALREADY_EXISTS, "network \"front\" already exists", observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName("front").setSubnet("10.30.0.0/24").build(), observer));
    }

    @ParameterizedTest(name = "subnet {0}")
    @CsvSource(delimiter = '|', value = {
        "10.10.0.0/24    | subnet 10.10.0.0/24 overlaps network \"front\" (10.10.0.0/24)",
        "10.10.0.128/25  | subnet 10.10.0.128/25 overlaps network \"front\" (10.10.0.0/24)",
        "10.0.0.0/8      | subnet 10.0.0.0/8 overlaps network \"front\" (10.10.0.0/24)"})
    void refusesAnOverlappingSubnetAsAFailedPrecondition(final String subnet, final String message)
    {
        createNetwork("front", "10.10.0.0/24");
        assertRejected(Status.Code.FAILED_PRECONDITION, message, observer -> fixture.networks.create(
            CreateNetworkRequest.newBuilder().setName("other").setSubnet(subnet).build(), observer));
    }

    @Test
    void refusesToRemoveANetworkWithPorts()
    {
        createNetwork("front", "10.10.0.0/24");
        attach(port("front", "veth-c1").build());
        attach(port("front", "veth-c2").build());
        assertRejected(Status.Code.FAILED_PRECONDITION, "network \"front\" has 2 ports attached (veth-c1, veth-c2); detach them first",
            observer -> fixture.networks.remove(RemoveNetworkRequest.newBuilder().setName("front").build(), observer));
    }

    @Test
    void unknownNetworksAreNotFound()
    {
        assertRejected(Status.Code.NOT_FOUND, "network \"nope\" not found",
            observer -> fixture.networks.remove(RemoveNetworkRequest.newBuilder().setName("nope").build(), observer));
        assertRejected(Status.Code.NOT_FOUND, "network \"nope\" not found",
            observer -> fixture.networks.inspect(InspectNetworkRequest.newBuilder().setName("nope").build(), observer));
    }
}
