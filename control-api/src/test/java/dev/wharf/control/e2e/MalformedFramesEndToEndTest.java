package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on the wire: scapy sends 12 kinds of malformed or unsupported frames (over 10,000 in
 * all) into a port. The daemon keeps forwarding, and every frame is counted as a drop under the
 * reason its kind deserves.
 */
class MalformedFramesEndToEndTest
{
    private static final int PER_KIND = 850;

    /** Each kind scapy sends, and the drop counter it must land in. */
    private static final Map<String, String> EXPECTED_REASON = new LinkedHashMap<>();

    static
    {
        EXPECTED_REASON.put("multicast-source", "ethernet-input.invalid-source-mac");
        EXPECTED_REASON.put("zero-source", "ethernet-input.invalid-source-mac");
        EXPECTED_REASON.put("tagged-on-access", "ethernet-input.tagged-on-access-port");
        EXPECTED_REASON.put("qinq", "ethernet-input.unsupported-qinq");
        EXPECTED_REASON.put("llc", "ethernet-input.llc-unsupported");
        EXPECTED_REASON.put("stp-bpdu", "ethernet-input.reserved-multicast");
        EXPECTED_REASON.put("bad-ip-checksum", "ip4-input.bad-checksum");
        EXPECTED_REASON.put("bad-icmp-checksum", "icmp-echo.bad-checksum");
        EXPECTED_REASON.put("truncated-ip", "ip4-input.truncated");
        EXPECTED_REASON.put("short-ihl", "ip4-input.bad-header-length");
        EXPECTED_REASON.put("long-total-length", "ip4-input.bad-total-length");
        EXPECTED_REASON.put("truncated-arp", "arp-input.truncated");
    }

    private Topology topology;
    private WharfDaemonProcess wharf;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (wharf != null)
            {
                wharf.close();
            }
        }
        finally
        {
            if (topology != null)
            {
                topology.close();
            }
        }
    }

    @Test
    void tenThousandMalformedFramesAreEachDroppedWithTheirReasonAndForwardingGoesOn() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "python3");
        Host.require(Host.run(10, "/usr/bin/python3", "-c", "import scapy").exitCode() == 0, "needs python3-scapy");
        topology = new Topology("wtem");
        wharf = new WharfDaemonProcess().start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        final String c1 = topology.namespace("c1");
        final String c2 = topology.namespace("c2");
        final String p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        final String p2 = topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", p2, "--ip", "10.10.0.3");
        assertTrue(topology.ping(c1, "10.10.0.1", 1), "gateway reachable before the flood");
        final String gatewayMac = topology.exec(c1, "ip", "neigh", "show", "10.10.0.1").stdout().split("lladdr ")[1].split(" ")[0];

        final Map<String, Long> before = new LinkedHashMap<>();
        long dropsBefore = 0;
        for (final String reason : EXPECTED_REASON.values())
        {
            before.putIfAbsent(reason, Stats.counter(wharf, reason));
        }
        dropsBefore = Stats.port(wharf, p1, "rxDrops");

        final Path script = Files.createTempFile("malformed", ".py");
        try (InputStream in = getClass().getResourceAsStream("/e2e/malformed.py"))
        {
            assertNotNull(in, "malformed.py on the test classpath");
            Files.write(script, in.readAllBytes());
        }
        final String sent = topology.exec(300, c1, "/usr/bin/python3", script.toString(), "eth0", gatewayMac, "10.10.0.1",
            String.valueOf(PER_KIND)).assertOk("scapy sender").stdout();
        Files.deleteIfExists(script);
        assertEquals(EXPECTED_REASON.size(), sent.lines().count(), "every kind sent: " + sent);
        final int total = PER_KIND * EXPECTED_REASON.size();
        assertTrue(total >= 10_000, "at least 10,000 frames");

        assertTrue(topology.ping(c1, "10.10.0.3", 3), "still forwarding after the flood\n" + wharf.log());
        assertTrue(wharf.isAlive(), "daemon alive");

        final Map<String, Long> expectedDelta = new LinkedHashMap<>();
        for (final String reason : EXPECTED_REASON.values())
        {
            expectedDelta.merge(reason, (long)PER_KIND, Long::sum);
        }
        for (final Map.Entry<String, Long> e : expectedDelta.entrySet())
        {
            assertEquals(e.getValue(), Stats.counter(wharf, e.getKey()) - before.get(e.getKey()), "drops counted as " + e.getKey());
        }
        assertEquals(total, Stats.port(wharf, p1, "rxDrops") - dropsBefore, "every malformed frame counted against the ingress port");
    }
}
