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
}
