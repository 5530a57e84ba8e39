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
    /** The sections the daemon keeps today, in its order. */
    private static final List<SectionKey<?>> SECTIONS = List.of(NetworkSection.KEY, UplinkSection.KEY, NatSection.KEY);

    @TempDir
    Path directory;

    private StateStore store(final Path directory)
    {
        return new StateStore(directory, SECTIONS);
    }

    private static DesiredState sample()
    {
        final NetworkSpec front = new NetworkSpec("front", new Cidr(Ipv4Address.parse("10.10.0.0"), 24), Ipv4Address.parse("10.10.0.1"),
            MacAddress.parse("02:57:48:12:34:56"), 0);
        final NetworkSpec back = new NetworkSpec("back", new Cidr(Ipv4Address.parse("10.20.0.0"), 16), Ipv4Address.parse("10.20.0.254"),
            MacAddress.parse("02:57:48:ab:cd:ef"), 64);
        return NetworkSection.EMPTY.withNetwork(front).withNetwork(back)
            .withPort(new PortSpec("veth-c1", "front", PortKind.AF_PACKET, Ipv4Address.parse("10.10.0.2"), PortSpec.NO_MAC, 10, List.of(), 0))
            .withPort(new PortSpec("tap-c3", "back", PortKind.TAP, PortSpec.NO_IP, MacAddress.parse("02:00:00:00:00:03"), 0, List.of(5, 7), 16))
            .in(DesiredState.EMPTY);
    }

    @Test
    void aSavedStateLoadsBackEqualInOrderAndNoTemporaryFileRemains() throws Exception
    {
        final StateStore store = store(directory.resolve("wharf"));
        store.prepare();
        assertSame(DesiredState.EMPTY, store.load(), "no file yet: empty");
        final DesiredState state = sample();
        store.save(state);
        assertEquals(state, store.load());
        assertEquals(List.of("front", "back"), NetworkSection.of(store.load()).networks().stream().map(NetworkSpec::name).toList());
        assertFalse(Files.exists(directory.resolve("wharf").resolve("state.json.tmp")));
        store.save(NetworkSection.of(state).withoutPort("tap-c3").in(state));
        assertEquals(1, NetworkSection.of(store.load()).ports().size(), "a later save replaces the file");
    }

    @Test
    void corruptOrInconsistentFilesAreReportedWithTheFileAndTheProblemAndLeftAlone() throws Exception
    {
        final StateStore store = store(directory);
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
    void aFileThatIsNotUtf8SaysSoNotInputLength() throws Exception
    {
        final StateStore store = store(directory);
        final byte[] garbage = {(byte)0xff, (byte)0xfe, 0x00, 0x12, (byte)0xc3};
        Files.write(store.file(), garbage);
        final StateFileException e = assertThrows(StateFileException.class, store::load);
        assertEquals(store.file() + ": not a valid state file: not UTF-8 text, so not JSON", e.getMessage());
        assertTrue(java.util.Arrays.equals(garbage, Files.readAllBytes(store.file())), "left untouched");
    }

    @Test
    void uplinkConnectionsPublishedPortsRulesAndPoliciesSurviveTheRoundTrip() throws Exception
    {
        final StateStore store = store(directory);
        final NetworkSpec pvlan = new NetworkSpec("pvlan", new Cidr(Ipv4Address.parse("10.40.0.0"), 24), Ipv4Address.parse("10.40.0.1"),
            MacAddress.parse("02:57:48:00:00:40"), 0, false, false, true);
        final NetworkSpec secure = new NetworkSpec("secure", new Cidr(Ipv4Address.parse("10.30.0.0"), 24), Ipv4Address.parse("10.30.0.1"),
            MacAddress.parse("02:57:48:00:00:30"), 0, true, true, false);
        final DesiredState networks = NetworkSection.of(sample()).withNetwork(pvlan).withNetwork(secure)
            .withConnection(new ConnectionSpec("front", "back"))
            .in(sample());
        final DesiredState withUplink = UplinkSection.in(networks,
            new UplinkSpec("veth-up", Ipv4Address.parse("10.99.0.2"), 24, Ipv4Address.parse("10.99.0.1")));
        final DesiredState state = NatSection.EMPTY
            .withPublished(new PublishSpec("front", Ipv4Address.parse("10.10.0.3"), 80, PublishSpec.ANY_HOST, 8080, Protocol.TCP))
            .withPublished(new PublishSpec("back", Ipv4Address.parse("10.20.0.3"), 53, Ipv4Address.parse("10.99.0.2"), 5353, Protocol.UDP))
            .withRule(0, new RuleSpec(1, false, new Cidr(Ipv4Address.parse("10.10.0.0"), 24), new Cidr(0, 0), Protocol.TCP, 25, 25))
            .withRule(0, new RuleSpec(2, true, new Cidr(Ipv4Address.parse("10.10.0.5"), 32), new Cidr(0, 0), Protocol.ANY, 0, 0))
            .withoutRule(2)
            .withRule(1, new RuleSpec(3, false, new Cidr(0, 0), new Cidr(Ipv4Address.parse("10.20.0.0"), 16), Protocol.UDP, 1000, 2000))
            .in(withUplink);
        store.save(state);
        final DesiredState loaded = store.load();
        assertEquals(state, loaded);
        assertEquals(4, NatSection.of(loaded).nextRuleId(), "rule ids are not reused after a restart");
        assertEquals(List.of("back"), NetworkSection.of(loaded).connectionsOf("front"));
        assertFalse(NetworkSection.of(loaded).network("pvlan").icc());
        assertTrue(NetworkSection.of(loaded).network("secure").internal());
        assertFalse(NetworkSection.of(loaded).network("secure").masquerade());
    }

    @Test
    void aStateFileWrittenBeforeRoutingAndNatLoadsWithTheDefaultPolicy() throws Exception
    {
        final StateStore store = store(directory);
        Files.writeString(store.file(), """
            {
              "formatVersion": 1,
              "networks": [{"name": "front", "subnet": "10.10.0.0/24", "gateway": "10.10.0.1", "gatewayMac": "02:57:48:12:34:56"}],
              "ports": [{"name": "veth-c1", "network": "front", "kind": "af_packet", "ip": "10.10.0.2"}]
            }
            """);
        final DesiredState loaded = store.load();
        final NetworkSpec front = NetworkSection.of(loaded).network("front");
        assertTrue(front.icc() && front.masquerade() && !front.internal(), front.toString());
        assertEquals(null, UplinkSection.of(loaded));
        assertTrue(NatSection.of(loaded).published().isEmpty() && NatSection.of(loaded).rules().isEmpty() &&
            NetworkSection.of(loaded).connections().isEmpty());
        assertEquals(1, NatSection.of(loaded).nextRuleId());
    }

    @Test
    void aStateFileWrittenBeforeTheSectionsLoadsWhole() throws Exception
    {
        // written by the StateStore of one closed PersistedState message (before per-feature sections)
        final String before;
        try (var in = StateStoreTest.class.getResourceAsStream("state-v1-before-sections.json"))
        {
            before = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        final StateStore store = store(directory);
        Files.writeString(store.file(), before);
        final DesiredState loaded = store.load();

        final NetworkSection networks = NetworkSection.of(loaded);
        assertEquals(List.of("front", "back", "secure"), networks.networks().stream().map(NetworkSpec::name).toList());
        assertEquals(new NetworkSpec("back", new Cidr(Ipv4Address.parse("10.20.0.0"), 16), Ipv4Address.parse("10.20.0.254"),
            MacAddress.parse("02:57:48:ab:cd:ef"), 64), networks.network("back"));
        final NetworkSpec secure = networks.network("secure");
        assertTrue(secure.internal() && !secure.icc() && !secure.masquerade(), secure.toString());
        assertEquals(new PortSpec("tap-c3", "back", PortKind.TAP, PortSpec.NO_IP, MacAddress.parse("02:00:00:00:00:03"), 0, List.of(5, 7), 16),
            networks.port("tap-c3"));
        assertEquals(new PortSpec("veth-c1", "front", PortKind.AF_PACKET, Ipv4Address.parse("10.10.0.2"), PortSpec.NO_MAC, 10, List.of(), 0),
            networks.port("veth-c1"));
        assertEquals(List.of(new ConnectionSpec("front", "back")), networks.connections());
        assertEquals(new UplinkSpec("veth-up", Ipv4Address.parse("10.99.0.2"), 24, Ipv4Address.parse("10.99.0.1")), UplinkSection.of(loaded));
        final NatSection nat = NatSection.of(loaded);
        assertEquals(List.of(
            new PublishSpec("front", Ipv4Address.parse("10.10.0.3"), 80, PublishSpec.ANY_HOST, 8080, Protocol.TCP),
            new PublishSpec("back", Ipv4Address.parse("10.20.0.3"), 53, Ipv4Address.parse("10.99.0.2"), 5353, Protocol.UDP)), nat.published());
        assertEquals(List.of(
            new RuleSpec(1, false, new Cidr(Ipv4Address.parse("10.10.0.0"), 24), new Cidr(0, 0), Protocol.TCP, 25, 25),
            new RuleSpec(3, true, new Cidr(0, 0), new Cidr(Ipv4Address.parse("10.20.0.0"), 16), Protocol.UDP, 1000, 2000)), nat.rules());
        assertEquals(4, nat.nextRuleId());

        store.save(loaded);
        assertEquals(before, Files.readString(store.file()), "saved again, the file is the same to the byte: an older daemon reads it too");
    }

    @Test
    void twoSectionsThatClaimTheSameKeyAreRefused()
    {
        final SectionKey<NatSection> twin = new SectionKey<>("twin", NatSection.EMPTY, NatSection.KEY.codec());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new StateStore(directory, List.of(NetworkSection.KEY, NatSection.KEY, twin)));
        assertTrue(e.getMessage().contains("published"), e.getMessage());
    }

    @Test
    void aFileWithTheKeysOfASectionThisDaemonDoesNotLoadIsRefused() throws Exception
    {
        store(directory).save(UplinkSection.in(sample(), new UplinkSpec("veth-up", Ipv4Address.parse("10.99.0.2"), 24,
            Ipv4Address.parse("10.99.0.1"))));
        final StateStore withoutUplink = new StateStore(directory, List.of(NetworkSection.KEY, NatSection.KEY));
        final StateFileException e = assertThrows(StateFileException.class, withoutUplink::load);
        assertTrue(e.getMessage().contains("not a valid state file") && e.getMessage().contains("uplink"), e.getMessage());
    }

    /** A section of a feature added later (its message here a well-known type, whose one field "value" becomes its key). */
    private static final SectionKey<String> LATER = new SectionKey<>("later", "", new SectionCodec<>()
    {
        public com.google.protobuf.Message defaultMessage()
        {
            return com.google.protobuf.StringValue.getDefaultInstance();
        }

        public com.google.protobuf.Message write(final String section)
        {
            return com.google.protobuf.StringValue.of(section);
        }

        public String read(final com.google.protobuf.Message message, final DesiredState earlier, final PersistedValues values)
        {
            return ((com.google.protobuf.StringValue)message).getValue();
        }
    });

    @Test
    void aLaterFeaturesSectionJoinsTheFileBesideTheOthersWhichReadAsBefore() throws Exception
    {
        final List<SectionKey<?>> withLater = List.of(NetworkSection.KEY, UplinkSection.KEY, NatSection.KEY, LATER);
        final StateStore store = new StateStore(directory, withLater);
        final DesiredState state = sample().with(LATER, "vni 42");
        store.save(state);
        assertTrue(Files.readString(store.file()).contains("\"value\": \"vni 42\""), Files.readString(store.file()));
        assertEquals(state, store.load());
        assertEquals("vni 42", store.load().get(LATER));

        store.save(sample());
        assertEquals(sample(), store(directory).load(), "without the later section's keys, today's daemon reads the file");
        assertEquals("", new StateStore(directory, withLater).load().get(LATER), "a file without them reads as the empty section");
    }
}
