package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on the underlay: from host B's namespace, scapy sends tunnel datagrams with broken or
 * unacceptable headers to host A's Wharf (VXLAN port 4789, Geneve port 6081): an unknown VNI,
 * truncated outer headers, VXLAN without the I flag, Geneve of another version, with options whose
 * lengths run past the option area, with a critical option Wharf does not know, and for a VNI that has
 * no Geneve network. Each is dropped and counted under its reason, nothing of them reaches the
 * container, and the overlay (to the kernel VXLAN device on B) forwards on afterwards.
 */
class OverlayBadInputEndToEndTest
{
    private static final int PER_KIND = 200;

    /** Each kind overlay_bad.py sends, and the drop counter it must land in. */
    private static final Map<String, String> EXPECTED_REASON = new LinkedHashMap<>();

    static
    {
        EXPECTED_REASON.put("vxlan-unknown-vni", "vxlan-decap.unknown-vni");
        EXPECTED_REASON.put("vxlan-truncated", "vxlan-decap.truncated");
        EXPECTED_REASON.put("vxlan-no-i-flag", "vxlan-decap.no-vni-flag");
        EXPECTED_REASON.put("geneve-truncated", "geneve-decap.truncated");
        EXPECTED_REASON.put("geneve-bad-version", "geneve-decap.bad-version");
        EXPECTED_REASON.put("geneve-option-overruns-header", "geneve-decap.bad-option-length");
        EXPECTED_REASON.put("geneve-second-option-overruns", "geneve-decap.bad-option-length");
        EXPECTED_REASON.put("geneve-critical-option", "geneve-decap.critical-option");
        EXPECTED_REASON.put("geneve-unknown-vni", "geneve-decap.unknown-vni");
    }

    private Topology topology;
    private OverlayHost a;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (a != null)
            {
                a.close();
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
    void badTunnelDatagramsAreEachDroppedUnderTheirReasonAndTheOverlayForwardsOn() throws Exception
    {
        Host.requireRootAnd("ip", "bridge", "ethtool", "ping", "python3");
        Host.require(Host.run(10, "/usr/bin/python3", "-c", "import scapy").exitCode() == 0, "needs python3-scapy");
        topology = new Topology("ovx");
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        final OverlayHost b = OverlayHost.kernelVxlan(topology, hostB, "10.200.0.2", "10.200.0.1", "cb", "10.50.0.3");
        a = OverlayHost.wharf(topology, hostA, "10.200.0.1", "vxlan", "ca", "10.50.0.2");
        a.floodTo(b);
        assertTrue(topology.ping(a.container, b.containerIp, 2), "the overlay works before\n" + a.log());

        final Map<String, Long> before = new LinkedHashMap<>();
        for (final String reason : EXPECTED_REASON.values())
        {
            before.putIfAbsent(reason, Stats.counter(a.wharf, reason));
        }
        final long decapsulatedBefore = Stats.counter(a.wharf, "vxlan-decap.decapsulated") + Stats.counter(a.wharf, "geneve-decap.decapsulated");
        final long containerRxBefore = Stats.port(a.wharf, OverlayHost.CONTAINER_END, "txPackets");

        final Path script = Files.createTempFile("overlay_bad", ".py");
        try
        {
            try (InputStream in = getClass().getResourceAsStream("/e2e/overlay_bad.py"))
            {
                assertNotNull(in, "overlay_bad.py on the test classpath");
                Files.write(script, in.readAllBytes());
            }
            final List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), a.underlayIp, String.valueOf(PER_KIND)));
            command.addAll(EXPECTED_REASON.keySet());
            final String sent = topology.exec(300, hostB, command.toArray(new String[0])).assertOk("scapy sender").stdout();
            assertEquals(List.copyOf(EXPECTED_REASON.keySet()), sent.lines().toList(), "every kind sent");
        }
        finally
        {
            Files.deleteIfExists(script);
        }

        assertTrue(topology.ping(a.container, b.containerIp, 3), "cA -> cB still forwarding after the bad input\n" + a.log());
        assertTrue(topology.ping(b.container, a.containerIp, 3), "cB -> cA still forwarding after the bad input\n" + a.log());
        assertTrue(a.wharf.isAlive(), "daemon alive");

        final Map<String, Long> expectedDelta = new LinkedHashMap<>();
        for (final String reason : EXPECTED_REASON.values())
        {
            expectedDelta.merge(reason, (long)PER_KIND, Long::sum);
        }
        final String stats = a.wharf.ok("stats");
        for (final Map.Entry<String, Long> e : expectedDelta.entrySet())
        {
            assertEquals(e.getValue(), Stats.counter(a.wharf, e.getKey()) - before.get(e.getKey()), "drops counted as " + e.getKey() + ":\n" + stats);
        }
        // the pings after are all that was decapsulated and delivered: not one bad datagram got through
        final long decapsulated = Stats.counter(a.wharf, "vxlan-decap.decapsulated") + Stats.counter(a.wharf, "geneve-decap.decapsulated")
            - decapsulatedBefore;
        final long delivered = Stats.port(a.wharf, OverlayHost.CONTAINER_END, "txPackets") - containerRxBefore;
        assertTrue(decapsulated >= 6 && decapsulated < 20, "only the pings' frames decapsulated (" + decapsulated + "):\n" + stats);
        assertTrue(delivered >= 6 && delivered < 20, "only the pings' frames reached cA (" + delivered + "):\n" + stats);
    }
}
