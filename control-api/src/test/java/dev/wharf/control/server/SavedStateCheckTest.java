package dev.wharf.control.server;

import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.StateFileException;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A state file that reads but breaks a rule the API enforces is refused at load, with the file named
 * and the API's own message, and left as it is: restore checks what the API checks (issue 20).
 */
class SavedStateCheckTest
{
    /** Valid: what the API could have made (two connected networks, two ports, an uplink, a port published on a gateway, a rule). */
    private static final String GOOD = """
        {
          "formatVersion": 1,
          "networks": [
            {"name": "front", "subnet": "10.10.0.0/24", "gateway": "10.10.0.1", "gatewayMac": "02:57:48:00:00:10"},
            {"name": "back", "subnet": "10.20.0.0/24", "gateway": "10.20.0.1", "gatewayMac": "02:57:48:00:00:20", "macLimit": 64}
          ],
          "ports": [
            {"name": "veth-c1", "network": "front", "kind": "af_packet", "ip": "10.10.0.2"},
            {"name": "veth-c2", "network": "front", "kind": "af_packet", "ip": "10.10.0.3", "vlan": 10}
          ],
          "connections": [{"network": "front", "other": "back"}],
          "uplink": {"interface": "veth-up", "address": "10.99.0.2/24", "gateway": "10.99.0.1"},
          "published": [
            {"network": "front", "containerIp": "10.10.0.3", "containerPort": 80, "hostIp": "10.20.0.1", "hostPort": 8080, "protocol": "tcp"}
          ],
          "rules": [
            {"id": 1, "action": "deny", "source": "10.10.0.0/24", "destination": "0.0.0.0/0", "protocol": "tcp", "portFrom": 25, "portTo": 25}
          ],
          "nextRuleId": 2
        }
        """;

    @TempDir
    Path directory;

    private final Dataplane dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));

    @AfterEach
    void close()
    {
        dataplane.close();
    }

    private ControlPlane plane()
    {
        return ControlPlane.create(dataplane, new FakePortOpener(), directory, NatControl.detached());
    }

    @Test
    void aFileTheApiCouldHaveWrittenLoadsAndIsRestored() throws Exception
    {
        Files.writeString(directory.resolve("state.json"), GOOD);
        final ControlPlane plane = plane();
        plane.restore(plane.load());
        assertEquals(2, NetworkSection.of(plane.state()).networks().size());
        assertEquals(1, plane.nat().published().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "overlapping subnets | `\"10.20.0.0/24\", \"gateway\": \"10.20.0.1\"` | `\"10.10.0.0/16\", \"gateway\": \"10.10.200.1\"` | " +
            "subnet 10.10.0.0/16 overlaps network \"front\" (10.10.0.0/24)",
        "a bad network name | `{\"name\": \"back\"` | " +
            "`{\"name\": \"bad name!\", \"subnet\": \"10.30.0.0/24\", \"gateway\": \"10.30.0.1\", \"gatewayMac\": \"02:57:48:00:00:30\"}, {\"name\": \"back\"` | " +
            "invalid network name \"bad name!\": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        "a reserved subnet | `\"10.20.0.0/24\", \"gateway\": \"10.20.0.1\"` | `\"127.0.0.0/24\", \"gateway\": \"127.0.0.1\"` | " +
            "invalid subnet \"127.0.0.0/24\": 0.0.0.0/8, loopback, multicast and reserved addresses cannot be a network",
        "a /32 network | `\"10.20.0.0/24\", \"gateway\": \"10.20.0.1\"` | `\"10.20.0.1/32\", \"gateway\": \"10.20.0.1\"` | " +
            "invalid subnet \"10.20.0.1/32\": prefix length must be 1 to 30",
        "a gateway outside its subnet | `\"gateway\": \"10.20.0.1\"` | `\"gateway\": \"10.30.0.1\"` | " +
            "gateway 10.30.0.1 is outside the subnet 10.20.0.0/24",
        "two networks with one gateway MAC | `02:57:48:00:00:20` | `02:57:48:00:00:10` | " +
            "gateway MAC 02:57:48:00:00:10 of network \"back\" is another network's too",
        "a multicast gateway MAC | `02:57:48:00:00:20` | `01:00:5e:00:00:20` | " +
            "gateway MAC 01:00:5e:00:00:20 of network \"back\" is not a unicast MAC",
        "a MAC limit beyond the FDB | `\"macLimit\": 64` | `\"macLimit\": 70000` | MAC limit 70000 is out of range 1..65536",
        "a network connected to itself | `\"other\": \"back\"` | `\"other\": \"front\"` | cannot connect network \"front\" to itself",
        "duplicate container IPs | `\"ip\": \"10.10.0.3\"` | `\"ip\": \"10.10.0.2\"` | " +
            "IP 10.10.0.2 is already used by port \"veth-c1\" in network \"front\"",
        "a port IP outside its network | `\"ip\": \"10.10.0.3\"` | `\"ip\": \"10.20.0.3\"` | IP 10.20.0.3 is outside the subnet 10.10.0.0/24",
        "a port on the gateway address | `\"ip\": \"10.10.0.3\"` | `\"ip\": \"10.10.0.1\"` | IP 10.10.0.1 is the gateway of network \"front\"",
        "a bad interface name | `\"name\": \"veth-c2\"` | `\"name\": \"veth/c2\"` | " +
            "invalid interface name \"veth/c2\": use 1 to 15 letters, digits, '_', '.' or '-'",
        "a VLAN out of range | `\"vlan\": 10` | `\"vlan\": 5000` | VLAN 5000 is out of range 1..4094",
        "an uplink gateway equal to its address | `\"gateway\": \"10.99.0.1\"` | `\"gateway\": \"10.99.0.2\"` | " +
            "uplink gateway 10.99.0.2 is the uplink address itself",
        "an uplink overlapping a network | `10.99.0.2/24\", \"gateway\": \"10.99.0.1` | `10.10.0.5/24\", \"gateway\": \"10.10.0.9` | " +
            "uplink subnet 10.10.0.0/24 overlaps network \"front\" (10.10.0.0/24)",
        "an uplink that is a port | `\"interface\": \"veth-up\"` | `\"interface\": \"veth-c1\"` | " +
            "interface \"veth-c1\" is a port of network \"front\"",
        "an uplink prefix of 40 | `10.99.0.2/24` | `10.99.0.2/40` | invalid uplink address \"10.99.0.2/40\": prefix length must be 1 to 30",
        "published port 0 | `\"hostPort\": 8080` | `\"hostPort\": 0` | host port 0 is out of range 1..65535",
        "published port 70000 | `\"containerPort\": 80` | `\"containerPort\": 70000` | container port 70000 is out of range 1..65535",
        "a published container IP outside its network | `\"containerIp\": \"10.10.0.3\"` | `\"containerIp\": \"10.20.0.3\"` | " +
            "container IP 10.20.0.3 is outside the subnet 10.10.0.0/24",
        "a port published on no host address | `\"hostIp\": \"10.20.0.1\"` | `\"hostIp\": \"10.41.0.1\"` | " +
            "host IP 10.41.0.1 is neither the uplink address nor a network's gateway",
        "a rule port range backwards | `\"portFrom\": 25, \"portTo\": 25` | `\"portFrom\": 90, \"portTo\": 80` | " +
            "destination port range 90-80 is backwards",
        "a rule with ports and no port protocol | `\"protocol\": \"tcp\", \"portFrom\"` | `\"protocol\": \"icmp\", \"portFrom\"` | " +
            "destination ports need protocol tcp or udp, not icmp"})
    void aFileThatBreaksARuleOfTheApiIsRefusedWithTheFileAndTheApisMessageAndLeftAlone(
        final String what, final String from, final String to, final String message) throws Exception
    {
        assertTrue(GOOD.contains(from), "the case changes the good file: " + from);
        final String bad = GOOD.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        final Path file = directory.resolve("state.json");
        Files.writeString(file, bad);
        final StateFileException e = assertThrows(StateFileException.class, plane()::load, what);
        assertEquals(file + ": breaks a rule of the API: " + message, e.getMessage(), what);
        assertEquals(bad, Files.readString(file), "left untouched");
    }

    @Test
    void twoPortsPublishedOnTheSameHostPortAreRefused() throws Exception
    {
        final String twice = GOOD.replace("""
            "protocol": "tcp"}
              ],""", """
            "protocol": "tcp"},
                {"network": "back", "containerIp": "10.20.0.3", "containerPort": 80, "hostPort": 8080, "protocol": "tcp"}
              ],""");
        assertTrue(twice.contains("10.20.0.3"), twice);
        Files.writeString(directory.resolve("state.json"), twice);
        final StateFileException e = assertThrows(StateFileException.class, plane()::load);
        assertTrue(e.getMessage().endsWith("port 8080/tcp is already published (10.20.0.1:8080/tcp -> front 10.10.0.3:80)"), e.getMessage());
    }
}
