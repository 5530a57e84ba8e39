package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.wharf.dataplane.testing.Frames.B_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** l2-flood: to every other port of the ingress network, never back, never into another network. */
class BridgeFloodingTest
{
    private final BridgeHarness bridge = new BridgeHarness();
    private int net0;
    private int net1;
    private int p0;
    private int p1;
    private int p2;
    private int q0;
    private int q1;

    @BeforeEach
    void setUp()
    {
        net0 = bridge.addDefaultNetwork();
        net1 = bridge.addNetwork("net1", "10.0.0.0", 24, "10.0.0.1", 0x02420b000001L);
        p0 = bridge.accessPort(net0, 0);
        q0 = bridge.accessPort(net1, 0);
        p1 = bridge.accessPort(net0, 0);
        q1 = bridge.accessPort(net1, 0);
        p2 = bridge.accessPort(net0, 0);
    }

    @AfterEach
    void tearDown()
    {
        bridge.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"arp_request_other_host", "arp_gratuitous_request", "arp_gratuitous_reply", "udp_multicast",
        "ipv6_neighbor_solicitation", "udp_a_to_b", "ipv6_tcp_syn", "tcp_syn_options"})
    void floodsToEveryOtherPortOfTheNetworkOnlyAndUnchanged(final String name)
    {
        final byte[] frame = Fixture.frame(name);

        final Outcome outcome = bridge.sendOne(p0, frame);

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals(0, bridge.sent(p0).size(), "not back out of the ingress port");
        assertEquals(1, bridge.sent(p1).size());
        assertEquals(1, bridge.sent(p2).size());
        assertArrayEquals(frame, bridge.sent(p1).get(0));
        assertArrayEquals(frame, bridge.sent(p2).get(0));
        assertEquals(0, bridge.sent(q0).size() + bridge.sent(q1).size(), "nothing leaks into the other network");
        assertEquals(1, bridge.counter("l2-flood.flooded"));
    }

    @Test
    void broadcastArpForAnotherHostIsFloodedAndNotAnswered()
    {
        final Outcome outcome = bridge.sendOne(p0, Fixture.frame("arp_request_other_host"));

        assertEquals("ethernet-input > l2-learn > l2-forward > l2-flood > arp-input", outcome.pathText());
        assertFalse(outcome.dropped());
        assertEquals(0, bridge.counter("arp-input.replied"));
        assertEquals(0, bridge.counter("arp-input.not-for-gateway"), "a flooded frame is not a drop");
    }

    @Test
    void aUnicastArpReplyToAnUnknownHostIsFloodedAndNotCountedAsADrop()
    {
        final Outcome outcome = bridge.sendOne(p1, Fixture.frame("arp_reply_host")); // B -> A, A not yet learned

        assertEquals("ethernet-input > l2-learn > l2-forward > l2-flood", outcome.pathText(), "not the gateway's business");
        assertFalse(outcome.dropped());
        assertEquals(1, bridge.sent(p0).size());
        assertEquals(0, bridge.counter("arp-input.not-for-gateway"));
        assertEquals(0, bridge.portCounter(p1, dev.wharf.dataplane.graph.CounterLayout.PORT_RX_DROPS));
    }

    @Test
    void aBroadcastArpTheGatewayCannotReadIsStillFloodedAndCountedButNotDropped()
    {
        final byte[] nonEthernet = dev.wharf.dataplane.testing.Frames.withDestination(Fixture.frame("arp_non_ethernet_to_gateway"),
            dev.wharf.dataplane.protocol.MacAddress.BROADCAST);

        final Outcome outcome = bridge.sendOne(p0, nonEthernet);

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals(1, bridge.counter("arp-input.unsupported-format"));
        assertEquals(0, bridge.portCounter(p0, dev.wharf.dataplane.graph.CounterLayout.PORT_RX_DROPS));
        assertArrayEquals(nonEthernet, bridge.sent(p1).get(0));
    }

    @Test
    void broadcastIsFloodedWithoutCountingAnUnknownUnicast()
    {
        bridge.sendOne(p0, Fixture.frame("arp_request_other_host"));

        assertEquals(0, bridge.counter("l2-forward.unknown-unicast"));
    }

    @Test
    void aMacLearnedInOneNetworkIsUnknownInTheOther()
    {
        bridge.sendOne(q0, Fixture.frame("arp_reply_host")); // B learned in net1 on q0
        bridge.clearSent();

        final Outcome outcome = bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));

        assertEquals(q0, bridge.fdb(net1).lookup(B_MAC, 0));
        assertEquals(-1, bridge.fdb(net0).lookup(B_MAC, 0));
        assertEquals("ethernet-input > l2-learn > l2-forward > l2-flood", outcome.pathText());
        assertEquals(0, bridge.sent(q0).size());
        assertEquals(1, bridge.sent(p1).size());
    }

    @Test
    void theOnlyPortOfANetworkFloodsToNoOneAndSaysSo()
    {
        final BridgeHarness lonely = new BridgeHarness();
        try
        {
            final int net = lonely.addDefaultNetwork();
            final int only = lonely.accessPort(net, 0);

            final Outcome outcome = lonely.sendOne(only, Fixture.frame("udp_a_to_b"));

            assertEquals(1, lonely.counter("l2-flood.no-other-port"));
            assertEquals(0, lonely.counter("l2-flood.flooded"));
            assertEquals(0, lonely.sent(only).size());
            assertFalse(outcome.dropped());
        }
        finally
        {
            lonely.close();
        }
    }

    @Test
    void aBatchMixingNetworksFloodsEachFrameWithinItsOwn()
    {
        final byte[] arp = Fixture.frame("arp_request_other_host");
        final byte[] udp = Fixture.frame("udp_a_to_b");

        bridge.send(p0, arp, udp, arp);
        bridge.send(q1, udp);

        assertEquals(3, bridge.sent(p1).size());
        assertEquals(3, bridge.sent(p2).size());
        assertEquals(1, bridge.sent(q0).size());
        assertEquals(0, bridge.sent(p0).size() + bridge.sent(q1).size());
    }
}
