package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable state: what the user configured survives {@code kill -9} and comes back without a command;
 * a corrupt state file, or one that breaks a rule of the API, stops the daemon with a message naming
 * it and is left untouched; a network a published port is bound to is not removed; a port
 * whose interface disappears goes down and comes back by itself when the interface reappears.
 */
class RestartEndToEndTest
{
    private Topology topology;
    private WharfDaemonProcess wharf;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "ping");
        topology = new Topology("wter");
        wharf = new WharfDaemonProcess();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            wharf.close();
        }
        finally
        {
            topology.close();
        }
    }

    private String wire() throws Exception
    {
        wharf.start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("network", "create", "back", "--subnet", "10.20.0.0/24", "--mac-limit", "64");
        final String c1 = topology.namespace("c1");
        final String c2 = topology.namespace("c2");
        wharf.ok("port", "attach", "front", topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1"), "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1"), "--ip", "10.10.0.3",
            "--mac", topology.mac(c2, "eth0"));
        assertTrue(topology.ping(c1, "10.10.0.3", 2), "traffic before the crash");
        return c1;
    }

    @Test
    void afterKillDashNineTheDaemonRestoresNetworksAndPortsAndTrafficFlowsWithoutACommand() throws Exception
    {
        final String c1 = wire();
        final String networksBefore = wharf.ok("network", "ls");
        final String portsBefore = wharf.ok("port", "ls");

        wharf.kill9();
        assertFalse(topology.ping(c1, "10.10.0.3", 1), "nothing forwards while the daemon is dead");
        wharf.start();

        assertEquals(networksBefore, wharf.ok("network", "ls"), "same networks");
        assertEquals(withoutLearnedColumn(portsBefore), withoutLearnedColumn(wharf.ok("port", "ls")), "same ports");
        assertTrue(topology.ping(c1, "10.10.0.3", 3), "traffic flows again without any command\n" + wharf.log());
        assertTrue(topology.ping(c1, "10.10.0.1", 1), "the gateway answers with the same MAC the containers cached");
    }

    @Test
    void aCorruptStateFileStopsTheDaemonWithAMessageNamingItAndIsLeftUntouched() throws Exception
    {
        wharf.start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.close();
        final Path file = wharf.stateDirectory().resolve("state.json");
        assertTrue(Files.exists(file), "state saved");
        final String corrupt = Files.readString(file).replace("\"networks\"", "\"networks\" oops");
        Files.writeString(file, corrupt);
        final String digest = sha256(file);

        final Host.Result result = wharf.startExpectingFailure();
        assertNotEquals(0, result.exitCode(), "the daemon refuses to start");
        assertTrue(result.stderr().contains(file.toString()), "names the file: " + result.stderr());
        assertTrue(result.stderr().contains("not a valid state file"), "says what is wrong: " + result.stderr());
        assertEquals(digest, sha256(file), "the file is left as it was");
    }

    @Test
    void aStateFileThatBreaksARuleOfTheApiStopsTheDaemonWithTheFileAndTheRuleNamedAndIsLeftUntouched() throws Exception
    {
        wharf.start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("network", "create", "back", "--subnet", "10.20.0.0/24");
        wharf.close();
        final Path file = wharf.stateDirectory().resolve("state.json");
        final String overlapping = Files.readString(file).replace("\"10.20.0.0/24\"", "\"10.10.0.0/16\"")
            .replace("\"10.20.0.1\"", "\"10.10.200.1\"");
        assertTrue(overlapping.contains("10.10.0.0/16") && overlapping.contains("10.10.200.1"), overlapping);
        Files.writeString(file, overlapping);
        final String digest = sha256(file);

        final Host.Result result = wharf.startExpectingFailure();
        assertNotEquals(0, result.exitCode(), "the daemon refuses to start");
        assertTrue(result.stderr().contains(file + ": breaks a rule of the API: subnet 10.10.0.0/16 overlaps network \"front\" (10.10.0.0/24)"),
            "names the file and the rule: " + result.stderr());
        assertEquals(digest, sha256(file), "the file is left as it was");
    }

    @Test
    void aNetworkWhoseGatewayAPortIsPublishedOnIsNotRemovedSoNoStaleBindingOutlivesIt() throws Exception
    {
        wharf.start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("network", "create", "other", "--subnet", "10.41.0.0/24");
        wharf.ok("publish", "add", "front", "10.10.0.3:80", "-p", "10.41.0.1:9090");
        final Host.Result refused = wharf.cli("network", "rm", "other");
        assertEquals(4, refused.exitCode(), "FAILED_PRECONDITION: " + refused.stderr());
        assertEquals("wharf: ports are published on the gateway 10.41.0.1 of network \"other\" (10.41.0.1:9090/tcp -> front 10.10.0.3:80); " +
            "remove them first (wharf publish rm)", refused.stderr().strip());

        wharf.kill9();
        wharf.start();
        assertTrue(wharf.ok("network", "ls").contains("other"), "the network is still there after a restart");
        assertTrue(wharf.ok("publish", "ls").contains("10.41.0.1:9090"), "with the binding on its gateway");
        wharf.ok("publish", "rm", "front", "10.41.0.1:9090");
        wharf.ok("network", "rm", "other");
        wharf.ok("network", "create", "again", "--subnet", "10.41.0.0/24");
        assertFalse(wharf.ok("publish", "ls").contains("9090"), "a new network on that subnet exposes nothing");
    }

    @Test
    void aPortWhoseInterfaceDisappearsGoesDownAndComesBackWhenItReappears() throws Exception
    {
        final String c1 = wire();
        final String h2 = topology.name("h2");
        final String c2 = topology.name("c2");
        final String mac2 = topology.mac(c2, "eth0");
        Host.run(10, "ip", "link", "del", h2).assertOk("delete c2's veth (the container went away)");
        assertTrue(awaitPortLs(h2 + ".*down \\(interface disappeared\\)"), "shown down with the reason:\n" + wharf.ok("port", "ls"));
        assertTrue(topology.ping(c1, "10.10.0.1", 1), "the daemon and the other ports keep working");

        topology.container(c2, h2, "10.10.0.3/24", "10.10.0.1");
        // a runtime recreates the container with the MAC it was given (the port's --mac)
        topology.exec(c2, "ip", "link", "set", "eth0", "address", mac2).assertOk("restore the container's MAC");
        assertTrue(awaitPortLs(h2 + ".*\\sup\\s"), "back up by itself:\n" + wharf.ok("port", "ls"));
        assertTrue(topology.ping(c1, "10.10.0.3", 3), "traffic to the recreated container\n" + wharf.log());
    }

    private boolean awaitPortLs(final String regex) throws InterruptedException
    {
        final java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.MULTILINE);
        for (int i = 0; i < 50; i++)
        {
            if (pattern.matcher(wharf.ok("port", "ls")).find())
            {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    private static String withoutLearnedColumn(final String table)
    {
        // learned MAC counts are runtime facts, not configuration: the LEARNED column is cut out by its header's place
        final String header = table.lines().findFirst().orElseThrow();
        final int from = header.indexOf("LEARNED");
        final int to = header.indexOf("STATE");
        assertTrue(from > 0 && to > from, "port ls has LEARNED before STATE: " + header);
        return table.lines().map(l -> l.length() < to ? l : l.substring(0, from) + l.substring(to)).reduce("", (a, b) -> a + b + "\n");
    }

    private static String sha256(final Path file) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
