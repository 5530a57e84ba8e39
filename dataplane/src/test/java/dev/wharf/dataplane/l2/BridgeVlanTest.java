package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.wharf.dataplane.testing.Frames.A_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * 802.1Q access and trunk ports: tags are stripped on input, pushed on egress to trunks, and a frame
 * never reaches a port that does not carry its VLAN. Expected frames are scapy's, tagged or not.
 */
class BridgeVlanTest
{
    private final BridgeHarness bridge = new BridgeHarness();
    private int network;
    private int untagged;
    private int access10a;
    private int access10b;
    private int trunk10and20;
    private int trunk20;
    private int access20;

    @BeforeEach
    void setUp()
    {
        network = bridge.addDefaultNetwork();
        untagged = bridge.accessPort(network, 0);
        access10a = bridge.accessPort(network, 10);
        access10b = bridge.accessPort(network, 10);
        trunk10and20 = bridge.trunkPort(network, 10, 20);
        trunk20 = bridge.trunkPort(network, 20);
        access20 = bridge.accessPort(network, 20);
    }

    @AfterEach
    void tearDown()
    {
        bridge.close();
    }

    @Test
    void aTaggedFrameFromATrunkLeavesAccessPortsUntaggedAndOnlyInItsVlan()
    {
        final Outcome outcome = bridge.sendOne(trunk10and20, Fixture.frame("dot1q_vid10"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertArrayEquals(Fixture.frame("udp_a_to_b"), bridge.sent(access10a).get(0), "tag stripped");
        assertArrayEquals(Fixture.frame("udp_a_to_b"), bridge.sent(access10b).get(0));
        assertEquals(0, bridge.sent(untagged).size());
        assertEquals(0, bridge.sent(trunk20).size(), "trunk20 does not carry VLAN 10");
        assertEquals(0, bridge.sent(access20).size());
        assertEquals(0, bridge.sent(trunk10and20).size());
        assertEquals(trunk10and20, bridge.fdb(network).lookup(A_MAC, 10));
        assertEquals(-1, bridge.fdb(network).lookup(A_MAC, 0));
    }

    @Test
    void anUntaggedFrameFromAnAccessPortIsTaggedTowardsTheTrunk()
    {
        bridge.sendOne(access10a, Fixture.frame("udp_a_to_b"));

        assertArrayEquals(Fixture.frame("dot1q_vid10_prio0"), bridge.sent(trunk10and20).get(0), "tag pushed, as scapy builds it");
        assertArrayEquals(Fixture.frame("udp_a_to_b"), bridge.sent(access10b).get(0));
        assertEquals(0, bridge.sent(untagged).size() + bridge.sent(trunk20).size() + bridge.sent(access20).size());
    }

    @Test
    void vlan20ReachesBothTrunksTaggedAndItsAccessPortUntagged()
    {
        bridge.sendOne(access20, Fixture.frame("udp_a_to_b"));

        assertArrayEquals(Fixture.frame("dot1q_vid20"), bridge.sent(trunk10and20).get(0));
        assertArrayEquals(Fixture.frame("dot1q_vid20"), bridge.sent(trunk20).get(0));
        assertEquals(0, bridge.sent(access10a).size() + bridge.sent(access10b).size() + bridge.sent(untagged).size());
    }

    @Test
    void untaggedFramesOnATrunkBelongToVlanZero()
    {
        bridge.sendOne(trunk20, Fixture.frame("udp_a_to_b"));

        assertArrayEquals(Fixture.frame("udp_a_to_b"), bridge.sent(untagged).get(0));
        assertArrayEquals(Fixture.frame("udp_a_to_b"), bridge.sent(trunk10and20).get(0), "VLAN 0 leaves a trunk untagged");
        assertEquals(0, bridge.sent(access10a).size() + bridge.sent(access20).size());
        assertEquals(trunk20, bridge.fdb(network).lookup(A_MAC, 0));
    }

    @Test
    void aTaggedFrameOnAnAccessPortIsDropped()
    {
        final Outcome outcome = bridge.sendOne(access10a, Fixture.frame("dot1q_vid10"));

        assertEquals("ethernet-input.tagged-on-access-port", outcome.dropReason());
        assertEquals("ethernet-input > error-drop", outcome.pathText());
        assertEquals(0, bridge.sent(access10b).size() + bridge.sent(trunk10and20).size());
    }

    @Test
    void aVlanTheTrunkDoesNotAllowIsDropped()
    {
        final Outcome outcome = bridge.sendOne(trunk20, Fixture.frame("dot1q_vid10"));

        assertEquals("ethernet-input.vlan-not-allowed", outcome.dropReason());
        assertEquals(0, bridge.sent(access10a).size());
    }

    @Test
    void aPriorityTaggedFrameOnAnAccessPortJoinsThePortsVlan()
    {
        final Outcome outcome = bridge.sendOne(access10a, Fixture.frame("dot1q_priority_tag"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertArrayEquals(Fixture.frame("udp_a_to_b"), bridge.sent(access10b).get(0));
        assertArrayEquals(Fixture.frame("dot1q_vid10_prio0"), bridge.sent(trunk10and20).get(0));
        assertEquals(access10a, bridge.fdb(network).lookup(A_MAC, 10));
    }

    @Test
    void theSameMacInTwoVlansIsTwoEntries()
    {
        bridge.sendOne(access10a, Fixture.frame("udp_a_to_b"));
        bridge.sendOne(access20, Fixture.frame("udp_a_to_b"));

        assertEquals(access10a, bridge.fdb(network).lookup(A_MAC, 10));
        assertEquals(access20, bridge.fdb(network).lookup(A_MAC, 20));
        assertEquals(0, bridge.counter("l2-learn.mac-move"));
    }

    @Test
    void a8021adServiceTagIsDropped()
    {
        final Outcome outcome = bridge.sendOne(trunk10and20, Fixture.frame("qinq_8021ad"));

        assertEquals("ethernet-input.unsupported-qinq", outcome.dropReason());
    }

    @Test
    void twoStackedCustomerTagsAreDroppedNotForwardedWithTheInnerTag()
    {
        final Outcome outcome = bridge.sendOne(trunk10and20, Fixture.frame("qinq_double_8100"));

        assertEquals("ethernet-input.unsupported-qinq", outcome.dropReason());
        assertEquals(0, bridge.sent(access10a).size(), "an access port in VLAN 10 must not receive a frame still tagged 20");
    }

    @Test
    void aPriorityTagOverAVlanTagCannotHopFromAnAccessPortIntoThatVlan()
    {
        final Outcome outcome = bridge.sendOne(untagged, Fixture.frame("qinq_priority_over_vid10"));

        assertEquals("ethernet-input.unsupported-qinq", outcome.dropReason());
        assertEquals(0, bridge.sent(trunk10and20).size(), "the trunk would deliver it untagged-native, i.e. still tagged 10");
        assertEquals(0, bridge.sent(trunk20).size());
    }

    @Test
    void aTruncatedTagIsARunt()
    {
        final Outcome outcome = bridge.sendOne(trunk10and20, Fixture.frame("dot1q_truncated"));

        assertEquals("ethernet-input.runt", outcome.dropReason());
    }

    @Test
    void knownUnicastToATrunkIsTaggedAndAMacInVlan10IsUnknownFromVlan20()
    {
        bridge.sendOne(trunk10and20, Fixture.frame("dot1q_vid10")); // A learned in VLAN 10 behind the trunk
        bridge.clearSent();
        final byte[] toA = Fixture.frame("arp_reply_host");

        final Outcome fromVlan10 = bridge.sendOne(access10a, toA);
        final Outcome fromVlan20 = bridge.sendOne(access20, toA);

        assertEquals("ethernet-input > l2-learn > l2-forward > interface-output", fromVlan10.pathText());
        assertEquals("ethernet-input > l2-learn > l2-forward > l2-flood", fromVlan20.pathText(), "A is unknown in VLAN 20");
        assertEquals(2, bridge.sent(trunk10and20).size());
        assertEquals(10, vid(bridge.sent(trunk10and20).get(0)), "the forwarded copy");
        assertEquals(20, vid(bridge.sent(trunk10and20).get(1)), "the flooded copy");
        assertEquals(0, bridge.sent(access10b).size(), "known unicast is not flooded");
    }

    private static int vid(final byte[] frame)
    {
        assertEquals(0x8100, ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF));
        return ((frame[14] & 0x0F) << 8) | (frame[15] & 0xFF);
    }
}
