package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest
{
    @TempDir
    Path directory;

    private static DesiredState sample()
    {
        final NetworkSpec front = new NetworkSpec("front", new Cidr(Ipv4Address.parse("10.10.0.0"), 24), Ipv4Address.parse("10.10.0.1"),
            MacAddress.parse("02:57:48:12:34:56"), 0);
        final NetworkSpec back = new NetworkSpec("back", new Cidr(Ipv4Address.parse("10.20.0.0"), 16), Ipv4Address.parse("10.20.0.254"),
            MacAddress.parse("02:57:48:ab:cd:ef"), 64);
        return DesiredState.EMPTY.withNetwork(front).withNetwork(back)
            .withPort(new PortSpec("veth-c1", "front", PortKind.AF_PACKET, Ipv4Address.parse("10.10.0.2"), PortSpec.NO_MAC, 10, List.of(), 0))
            .withPort(new PortSpec("tap-c3", "back", PortKind.TAP, PortSpec.NO_IP, MacAddress.parse("02:00:00:00:00:03"), 0, List.of(5, 7), 16));
    }

    @Test
    void aSavedStateLoadsBackEqualInOrderAndNoTemporaryFileRemains() throws Exception
    {
        final StateStore store = new StateStore(directory.resolve("wharf"));
        store.prepare();
        assertSame(DesiredState.EMPTY, store.load(), "no file yet: empty");
        final DesiredState state = sample();
        store.save(state);
        assertEquals(state, store.load());
        assertEquals(List.of("front", "back"), store.load().networks().stream().map(NetworkSpec::name).toList());
        assertFalse(Files.exists(directory.resolve("wharf").resolve("state.json.tmp")));
        store.save(state.withoutPort("tap-c3"));
        assertEquals(1, store.load().ports().size(), "a later save replaces the file");
    }

    @Test
    void corruptOrInconsistentFilesAreReportedWithTheFileAndTheProblemAndLeftAlone() throws Exception
    {
        final StateStore store = new StateStore(directory);
        store.save(sample());
        final String good = Files.readString(store.file());
        final String[][] cases = {
            {"{ not json", "not a valid state file"},
            {good.replace("\"formatVersion\": 1", "\"formatVersion\": 9"), "format version 9 is not supported"},
            {good.replace("\"10.10.0.0/24\"", "\"10.10.0.0/33\""), "network \"front\" has a bad subnet"},
            {good.replace("\"network\": \"back\"", "\"network\": \"gone\""), "names network \"gone\", which the file does not define"},
            {good.replace("\"kind\": \"tap\"", "\"kind\": \"vhost\""), "unknown kind \"vhost\""},
            {good.replace("\"02:57:48:12:34:56\"", "\"02:57:48:12:34\""), "not a MAC address"},
            {good.replace("\"networks\"", "\"netwerks\""), "not a valid state file"},
        };
        for (final String[] c : cases)
        {
            Files.writeString(store.file(), c[0]);
            final StateFileException e = assertThrows(StateFileException.class, store::load, c[1]);
            assertTrue(e.getMessage().startsWith(store.file().toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), "expected '" + c[1] + "' in: " + e.getMessage());
            assertEquals(c[0], Files.readString(store.file()), "left untouched");
        }
    }

    @Test
    void uplinkConnectionsPublishedPortsRulesAndPoliciesSurviveTheRoundTrip() throws Exception
    {
        final StateStore store = new StateStore(directory);
        final NetworkSpec pvlan = new NetworkSpec("pvlan", new Cidr(Ipv4Address.parse("10.40.0.0"), 24), Ipv4Address.parse("10.40.0.1"),
            MacAddress.parse("02:57:48:00:00:40"), 0, false, false, true);
        final NetworkSpec secure = new NetworkSpec("secure", new Cidr(Ipv4Address.parse("10.30.0.0"), 24), Ipv4Address.parse("10.30.0.1"),
            MacAddress.parse("02:57:48:00:00:30"), 0, true, true, false);
        final DesiredState state = sample().withNetwork(pvlan).withNetwork(secure)
            .withUplink(new UplinkSpec("veth-up", Ipv4Address.parse("10.99.0.2"), 24, Ipv4Address.parse("10.99.0.1")))
            .withConnection(new ConnectionSpec("front", "back"))
            .withPublished(new PublishSpec("front", Ipv4Address.parse("10.10.0.3"), 80, PublishSpec.ANY_HOST, 8080, Protocol.TCP))
            .withPublished(new PublishSpec("back", Ipv4Address.parse("10.20.0.3"), 53, Ipv4Address.parse("10.99.0.2"), 5353, Protocol.UDP))
            .withRule(0, new RuleSpec(1, false, new Cidr(Ipv4Address.parse("10.10.0.0"), 24), new Cidr(0, 0), Protocol.TCP, 25, 25))
            .withRule(0, new RuleSpec(2, true, new Cidr(Ipv4Address.parse("10.10.0.5"), 32), new Cidr(0, 0), Protocol.ANY, 0, 0))
            .withoutRule(2)
            .withRule(1, new RuleSpec(3, false, new Cidr(0, 0), new Cidr(Ipv4Address.parse("10.20.0.0"), 16), Protocol.UDP, 1000, 2000));
        store.save(state);
        final DesiredState loaded = store.load();
        assertEquals(state, loaded);
        assertEquals(4, loaded.nextRuleId(), "rule ids are not reused after a restart");
        assertEquals(List.of("back"), loaded.connectionsOf("front"));
        assertFalse(loaded.network("pvlan").icc());
        assertTrue(loaded.network("secure").internal());
        assertFalse(loaded.network("secure").masquerade());
    }

    @Test
    void aStateFileWrittenBeforeRoutingAndNatLoadsWithTheDefaultPolicy() throws Exception
    {
        final StateStore store = new StateStore(directory);
        Files.writeString(store.file(), """
            {
              "formatVersion": 1,
              "networks": [{"name": "front", "subnet": "10.10.0.0/24", "gateway": "10.10.0.1", "gatewayMac": "02:57:48:12:34:56"}],
              "ports": [{"name": "veth-c1", "network": "front", "kind": "af_packet", "ip": "10.10.0.2"}]
            }
            """);
        final DesiredState loaded = store.load();
        final NetworkSpec front = loaded.network("front");
        assertTrue(front.icc() && front.masquerade() && !front.internal(), front.toString());
        assertEquals(null, loaded.uplink());
        assertTrue(loaded.published().isEmpty() && loaded.rules().isEmpty() && loaded.connections().isEmpty());
        assertEquals(1, loaded.nextRuleId());
    }
}
