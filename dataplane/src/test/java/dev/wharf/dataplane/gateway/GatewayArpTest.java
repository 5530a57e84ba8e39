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

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** arp-input through the bridge pipeline; replies compared with scapy's bytes and dissected by tshark. */
class GatewayArpTest
{
    private static final long HOST_MAC = 0x02420a0000faL;
    private final BridgeHarness bridge = new BridgeHarness();
    private int p0;
    private int p1;
    private int p2;

    @BeforeEach
    void setUp()
    {
        final int network = bridge.addDefaultNetwork();
        p0 = bridge.accessPort(network, 0);
        p1 = bridge.accessPort(network, 0);
        p2 = bridge.accessPort(network, 0);
    }

    @AfterEach
    void tearDown()
    {
        bridge.close();
    }

    @Test
    void aBroadcastRequestForTheGatewayIsFloodedAndAnsweredOutOfTheIngressPort()
    {
        final byte[] request = Fixture.frame("arp_request_gateway");

        final Outcome outcome = bridge.sendOne(p0, request);

        assertEquals("ethernet-input > l2-learn > l2-forward > l2-flood > arp-input > interface-output", outcome.pathText());
        assertFalse(outcome.dropped());
        assertEquals(1, bridge.sent(p0).size());
        assertArrayEquals(Fixture.frame("arp_reply_gateway_expected"), bridge.sent(p0).get(0), "scapy's reply, byte for byte");
        assertArrayEquals(request, bridge.sent(p1).get(0), "the other ports got the request as it was, before the rewrite");
        assertArrayEquals(request, bridge.sent(p2).get(0));
        assertEquals(1, bridge.counter("arp-input.replied"));
        assertEquals(1, bridge.portCounter(p0, CounterLayout.PORT_TX_PACKETS));
    }

    @Test
    void aPaddedRequestGetsTheSameReplyWithItsPaddingKept()
    {
        bridge.sendOne(p0, Fixture.frame("arp_request_gateway_padded"));

        final byte[] reply = bridge.sent(p0).get(0);
        assertEquals(60, reply.length);
        assertArrayEquals(Fixture.frame("arp_reply_gateway_expected"), java.util.Arrays.copyOf(reply, 42));
    }

    @Test
    void aUnicastRequestToTheGatewayMacIsAnsweredAndNotFlooded()
    {
        final Outcome outcome = bridge.sendOne(p2, Fixture.frame("arp_request_gateway_unicast"));

        assertEquals("ethernet-input > l2-learn > l2-forward > arp-input > interface-output", outcome.pathText());
        assertArrayEquals(Fixture.frame("arp_reply_gateway_expected"), bridge.sent(p2).get(0));
        assertEquals(0, bridge.sent(p0).size() + bridge.sent(p1).size());
    }

    @Test
    void aRequestForTheHostsOwnAddressIsAnsweredFromItsOwnMacNotTheSharedGateways()
    {
        bridge.hostAddress(0, "10.0.0.250", HOST_MAC);

        bridge.sendOne(p0, Fixture.frame("arp_request_host_address"));

        assertArrayEquals(Fixture.frame("arp_reply_host_address_expected"), bridge.sent(p0).get(0), "scapy's reply, byte for byte");
        assertEquals(1, bridge.sent(p1).size(), "flooded too, as every broadcast");
        assertEquals(1, bridge.counter("arp-input.replied"));
    }

    @Test
    void aFrameToTheHostMacGoesToTheGatewayAsOneToTheGatewayMacDoes()
    {
        bridge.hostAddress(0, "10.0.0.250", HOST_MAC);
        final byte[] unicast = Frames.withDestination(Fixture.frame("arp_request_host_address"), HOST_MAC);

        final Outcome outcome = bridge.sendOne(p2, unicast);

        assertEquals("ethernet-input > l2-learn > l2-forward > arp-input > interface-output", outcome.pathText());
        assertArrayEquals(Fixture.frame("arp_reply_host_address_expected"), bridge.sent(p2).get(0));
        assertEquals(0, bridge.sent(p0).size() + bridge.sent(p1).size(), "not flooded: the MAC is the router's");
    }

    @Test
    void withoutAHostAddressTheRequestIsOnlyFlooded()
    {
        bridge.sendOne(p0, Fixture.frame("arp_request_host_address"));

        assertEquals(0, bridge.sent(p0).size());
        assertEquals(0, bridge.counter("arp-input.replied"));
    }

    @Test
    void aRequestForAnotherHostAndGratuitousArpAreFloodedButNotAnswered()
    {
        bridge.send(p0, Fixture.frame("arp_request_other_host"), Fixture.frame("arp_gratuitous_request"), Fixture.frame("arp_gratuitous_reply"));

        assertEquals(0, bridge.sent(p0).size(), "no reply");
        assertEquals(3, bridge.sent(p1).size());
        assertEquals(0, bridge.counter("arp-input.replied"));
    }

    @Test
    void aReplyToTheGatewayIsConsumedAndItsSenderLearned()
    {
        final byte[] reply = Fixture.frame("arp_reply_host");
        reply[41] = 1; // target IP 10.0.0.1, the gateway
        final byte[] toGateway = Frames.withDestination(reply, Frames.GATEWAY_MAC);

        final Outcome outcome = bridge.sendOne(p1, toGateway);

        assertFalse(outcome.dropped());
        assertEquals("arp-input", outcome.lastNode());
        assertEquals(1, bridge.counter("arp-input.reply-received"));
        assertEquals(Frames.B_MAC, bridge.neighbours(0).lookup(Fixture.ipv4Value("10.0.0.3")));
        assertEquals(0, bridge.sent(p0).size() + bridge.sent(p1).size() + bridge.sent(p2).size());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "arp_truncated_to_gateway, arp-input.truncated",
        "arp_non_ethernet_to_gateway, arp-input.unsupported-format",
        "arp_bad_operation_to_gateway, arp-input.unsupported-operation"})
    void aMalformedArpToTheGatewayMacIsDroppedUnderItsReason(final String name, final String reason)
    {
        final Outcome outcome = bridge.sendOne(p0, Fixture.frame(name));

        assertEquals(reason, outcome.dropReason());
        assertEquals("ethernet-input > l2-learn > l2-forward > arp-input > error-drop", outcome.pathText());
        assertEquals(1, bridge.counter(reason));
        assertEquals(0, bridge.sent(p0).size() + bridge.sent(p1).size() + bridge.sent(p2).size());
    }

    @Test
    void tsharkReadsTheRepliesAsWellFormedArpRepliesFromTheGateway(@TempDir final Path directory)
    {
        Tshark.require();
        bridge.send(p0, Fixture.frame("arp_request_gateway"), Fixture.frame("arp_request_gateway_padded"),
            Fixture.frame("arp_request_gateway_unicast"));
        final List<byte[]> replies = bridge.sent(p0);
        assertEquals(3, replies.size());

        final List<List<String>> rows = Tshark.fields(directory, replies,
            "eth.dst", "eth.src", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4",
            "_ws.malformed", "_ws.expert.message");

        for (final List<String> row : rows)
        {
            assertEquals(List.of("02:42:0a:00:00:02", "02:42:0a:00:00:01", "2", "02:42:0a:00:00:01", "10.0.0.1",
                "02:42:0a:00:00:02", "10.0.0.2", "", ""), row);
        }
    }
}
