package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.wharf.dataplane.testing.Frames.A_MAC;
import static dev.wharf.dataplane.testing.Frames.B_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * port-security through the whole bridge pipeline, on scapy's frames: port p0 is bound to A's MAC and 10.0.0.2;
 * spoofed ARP (a reply or gratuitous ARP claiming the gateway), a wrong IPv4 source, a wrong source MAC and IPv6
 * drop under their reasons, A's own frames pass, and no other port can take A's MAC.
 */
class PortSecurityTest
{
    private static final int A_IP = 0x0A000002;

    private final BridgeHarness bridge = new BridgeHarness();
    private int network;
    private int p0;
    private int p1;

    @BeforeEach
    void setUp()
    {
        network = bridge.addDefaultNetwork();
        p0 = bridge.accessPort(network, 0);
        p1 = bridge.accessPort(network, 0);
    }

    @AfterEach
    void tearDown()
    {
        bridge.close();
    }

    @ParameterizedTest
    @CsvSource({
        "ps_arp_reply_claims_gateway, port-security.arp-spoof",
        "ps_arp_gratuitous_claims_gateway, port-security.arp-spoof",
        "ps_arp_sender_mac_spoof, port-security.arp-spoof",
        "ps_udp_spoofed_source, port-security.ip-spoof",
        "ps_udp_spoofed_mac, port-security.mac-spoof",
        "ipv6_tcp_syn, port-security.ipv6-not-bound",
        "arp_truncated_to_gateway, port-security.truncated",
    })
    void spoofsFromASecuredPortDropUnderTheirReason(final String fixture, final String reason)
    {
        bridge.secure(p0, A_MAC, A_IP);

        final Outcome outcome = bridge.sendOne(p0, Fixture.frame(fixture));

        assertTrue(outcome.dropped(), outcome.pathText());
        assertEquals(reason, outcome.dropReason());
        assertEquals(1, bridge.counter(reason));
        assertEquals(0, bridge.sent(p1).size());
    }

    @ParameterizedTest
    @CsvSource({"ps_arp_reply_claims_gateway", "ps_udp_spoofed_source", "ps_udp_spoofed_mac"})
    void theSameSpoofsPassAnUnsecuredPort(final String fixture)
    {
        final Outcome outcome = bridge.sendOne(p0, Fixture.frame(fixture));

        assertFalse(outcome.dropped(), outcome.pathText());
        assertFalse(outcome.pathText().contains("port-security"));
        assertEquals(1, bridge.sent(p1).size());
    }

    @ParameterizedTest
    @CsvSource({"udp_a_to_b", "arp_request_gateway", "arp_gratuitous_request", "arp_gratuitous_reply", "ps_arp_probe"})
    void theSecuredPortsOwnFramesPass(final String fixture)
    {
        bridge.secure(p0, A_MAC, A_IP);

        final Outcome outcome = bridge.sendOne(p0, Fixture.frame(fixture));

        assertFalse(outcome.dropped(), outcome.pathText() + " " + outcome.dropReason());
        assertTrue(outcome.pathText().startsWith("ethernet-input > port-security > l2-learn"), outcome.pathText());
    }

    @Test
    void anotherPortCannotTakeTheSecuredPortsMac()
    {
        bridge.secure(p0, A_MAC, A_IP);

        final Outcome outcome = bridge.sendOne(p1, Fixture.frame("udp_a_to_b")); // from A's MAC, on p1

        assertEquals("l2-learn.static-mac-conflict", outcome.dropReason());
        assertEquals(p0, bridge.fdb(network).lookup(A_MAC, 0));
        assertEquals(0, bridge.sent(p0).size());
        // B's own frames from p1 still pass, and reach A on p0
        assertFalse(bridge.sendOne(p1, Fixture.frame("ps_udp_from_b_mac")).dropped());
        assertEquals(p1, bridge.fdb(network).lookup(B_MAC, 0));
        assertEquals(1, bridge.sent(p0).size());
    }
}
