package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import dev.wharf.dataplane.testing.Tshark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * ip4-input and icmp-echo through the bridge pipeline. A reply must equal, byte for byte, the reply
 * scapy builds with checksums computed from scratch; icmp-echo computes them incrementally.
 */
class GatewayIcmpTest
{
    private static final String REPLY_PATH = "ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-local > icmp-echo > interface-output";

    private final BridgeHarness bridge = new BridgeHarness();
    private int access;
    private int other;
    private int trunk;

    @BeforeEach
    void setUp()
    {
        final int network = bridge.addDefaultNetwork();
        access = bridge.accessPort(network, 0);
        other = bridge.accessPort(network, 0);
        trunk = bridge.trunkPort(network, 10);
    }

    @AfterEach
    void tearDown()
    {
        bridge.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"icmp_echo_gateway_0", "icmp_echo_gateway_56", "icmp_echo_gateway_1472", "icmp_echo_gateway_padded",
        "icmp_echo_gateway_options", "icmp_echo_gateway_checksum_corner", "icmp_echo_priority_tagged_gateway"})
    void anEchoRequestIsAnsweredWithScapysReplyOutOfTheIngressPort(final String name)
    {
        final Outcome outcome = bridge.sendOne(access, Fixture.frame(name));

        assertEquals(REPLY_PATH, outcome.pathText());
        assertEquals(1, bridge.sent(access).size());
        assertArrayEquals(Fixture.frame(name + "_expected_reply"), bridge.sent(access).get(0),
            "expected " + Frames.hex(Fixture.frame(name + "_expected_reply")) + "\n but was " + Frames.hex(bridge.sent(access).get(0)));
        assertEquals(0, bridge.sent(other).size() + bridge.sent(trunk).size(), "nothing else sent");
        assertEquals(1, bridge.counter("icmp-echo.replied"));
    }

    @Test
    void theChecksumCornerReplyCarriesZeroAsScapyComputes()
    {
        assertEquals(0, Fixture.load("icmp_echo_gateway_checksum_corner_expected_reply").intValue("icmp.chksum"));

        bridge.sendOne(access, Fixture.frame("icmp_echo_gateway_checksum_corner"));

        final byte[] reply = bridge.sent(access).get(0);
        assertEquals(0x0000, Frames.u16(reply, 34 + 2));
    }

    @Test
    void anEchoRequestInVlan10OnATrunkIsAnsweredTagged()
    {
        final Outcome outcome = bridge.sendOne(trunk, Fixture.frame("icmp_echo_vlan10_gateway"));

        assertEquals(REPLY_PATH, outcome.pathText());
        assertArrayEquals(Fixture.frame("icmp_echo_vlan10_gateway_expected_reply"), bridge.sent(trunk).get(0));
    }

    @Test
    void aBatchOfRequestsFromSeveralHostsIsAnsweredToEachOnItsOwnPort()
    {
        final byte[] fromA = Fixture.frame("icmp_echo_gateway_56");

        bridge.send(access, fromA, Fixture.frame("icmp_echo_gateway_0"), fromA);
        bridge.sendOne(other, fromA);

        assertEquals(3, bridge.sent(access).size());
        assertEquals(1, bridge.sent(other).size());
        assertEquals(4, bridge.counter("icmp-echo.replied"));
        assertEquals(1, bridge.counter("l2-learn.mac-move"), "A moved from access to other");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "icmp_echo_gateway_bad_ip_checksum, ip4-input.bad-checksum",
        "icmp_echo_gateway_bad_icmp_checksum, icmp-echo.bad-checksum",
        "icmp_unreachable_to_gateway, icmp-echo.unsupported-type",
        "icmp_truncated_to_gateway, icmp-echo.truncated",
        "ip_fragment_to_gateway, ip4-local.fragment-to-gateway",
        "ip_ihl_4, ip4-input.bad-header-length",
        "ip_ihl_15_short, ip4-input.bad-header-length",
        "ip_total_length_beyond_frame, ip4-input.bad-total-length",
        "ip_total_length_below_header, ip4-input.bad-total-length",
        "ip_truncated_header, ip4-input.truncated",
        "ip_bad_version, ip4-input.bad-version"})
    void aBadOrUnanswerablePacketToTheGatewayIsDroppedUnderItsReason(final String name, final String reason)
    {
        final Outcome outcome = bridge.sendOne(access, Fixture.frame(name));

        assertEquals(reason, outcome.dropReason());
        assertEquals("error-drop", outcome.lastNode());
        assertEquals(1, bridge.counter(reason));
        assertEquals(1, bridge.portCounter(access, CounterLayout.PORT_RX_DROPS));
        assertEquals(0, bridge.sent(access).size() + bridge.sent(other).size() + bridge.sent(trunk).size());
    }

    @Test
    void ipv6ToTheGatewayMacIsDroppedAsUnsupported()
    {
        final Outcome outcome = bridge.sendOne(access, Frames.withDestination(Fixture.frame("ipv6_icmpv6_echo"), Frames.GATEWAY_MAC));

        assertEquals("l2-forward.gateway-protocol-unsupported", outcome.dropReason());
    }

    @Test
    void anEchoRequestToAnotherHostIsBridgedUntouched()
    {
        final byte[] ping = Fixture.frame("icmp_echo_host");

        final Outcome outcome = bridge.sendOne(access, ping);

        assertFalse(outcome.dropped());
        assertEquals(0, bridge.counter("icmp-echo.replied"));
        assertArrayEquals(ping, bridge.sent(other).get(0));
    }

    @Test
    void tsharkFindsEveryReplyWellFormedWithGoodChecksums(@TempDir final Path directory)
    {
        Tshark.require();
        final String[] requests = {"icmp_echo_gateway_0", "icmp_echo_gateway_56", "icmp_echo_gateway_1472", "icmp_echo_gateway_padded",
            "icmp_echo_gateway_options", "icmp_echo_gateway_checksum_corner", "icmp_echo_priority_tagged_gateway"};
        for (final String request : requests)
        {
            bridge.sendOne(access, Fixture.frame(request));
        }
        bridge.sendOne(trunk, Fixture.frame("icmp_echo_vlan10_gateway"));
        final List<byte[]> replies = new ArrayList<>(bridge.sent(access));
        replies.addAll(bridge.sent(trunk));
        assertEquals(requests.length + 1, replies.size());

        final List<List<String>> rows = Tshark.fields(directory, replies,
            "eth.dst", "eth.src", "ip.src", "ip.dst", "ip.ttl", "ip.checksum.status", "icmp.type", "icmp.code", "icmp.ident",
            "icmp.checksum.status", "_ws.malformed", "_ws.expert.message");

        for (int r = 0; r < rows.size(); r++)
        {
            final List<String> row = rows.get(r);
            final Fixture request = Fixture.load(r < requests.length ? requests[r] : "icmp_echo_vlan10_gateway");
            assertEquals(List.of("02:42:0a:00:00:02", "02:42:0a:00:00:01", "10.0.0.1", "10.0.0.2", "64", "1", "0", "0",
                Integer.toString(request.intValue("icmp.id")), "1", "", ""), row, "reply to " + request.name());
        }
    }
}
