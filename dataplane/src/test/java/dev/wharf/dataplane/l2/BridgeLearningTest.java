package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.table.FdbTable;

import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.wharf.dataplane.testing.Frames.A_MAC;
import static dev.wharf.dataplane.testing.Frames.B_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** l2-learn and l2-forward through the whole bridge pipeline: learning, moves, limits, known and unknown unicast. */
class BridgeLearningTest
{
    private static final String FLOODED_PATH = "ethernet-input > l2-learn > l2-forward > l2-flood";
    private static final String FORWARDED_PATH = "ethernet-input > l2-learn > l2-forward > interface-output";

    private final BridgeHarness bridge = new BridgeHarness();
    private int network;
    private int p0;
    private int p1;
    private int p2;

    @BeforeEach
    void setUp()
    {
        network = bridge.addDefaultNetwork();
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
    void learnsTheSourceMacOnTheIngressPortAndFloodsTheUnknownDestination()
    {
        final byte[] frame = Fixture.frame("udp_a_to_b");

        final Outcome outcome = bridge.sendOne(p0, frame);

        assertEquals(FLOODED_PATH, outcome.pathText());
        assertFalse(outcome.dropped());
        assertEquals(p0, bridge.fdb(network).lookup(A_MAC, 0));
        assertEquals(-1, bridge.fdb(network).lookup(B_MAC, 0));
        assertEquals(1, bridge.counter("l2-learn.new-mac"));
        assertEquals(1, bridge.counter("l2-forward.unknown-unicast"));
        assertEquals(1, bridge.counter("l2-flood.flooded"));
        assertEquals(0, bridge.sent(p0).size(), "never back out of the ingress port");
        assertArrayEquals(frame, bridge.sent(p1).get(0));
        assertArrayEquals(frame, bridge.sent(p2).get(0));
        assertEquals(1, bridge.portCounter(p1, CounterLayout.PORT_TX_PACKETS));
        assertEquals(frame.length, bridge.portCounter(p1, CounterLayout.PORT_TX_BYTES));
    }

    @Test
    void knownUnicastGoesOnlyToTheLearnedPort()
    {
        bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));
        bridge.clearSent();
        final byte[] reply = Fixture.frame("arp_reply_host"); // B -> A

        final Outcome toA = bridge.sendOne(p1, reply);

        assertEquals(FORWARDED_PATH, toA.pathText());
        assertEquals(1, bridge.sent(p0).size());
        assertArrayEquals(reply, bridge.sent(p0).get(0));
        assertEquals(0, bridge.sent(p2).size());
        assertEquals(p1, bridge.fdb(network).lookup(B_MAC, 0));

        bridge.clearSent();
        final Outcome toB = bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));

        assertEquals(FORWARDED_PATH, toB.pathText());
        assertEquals(1, bridge.sent(p1).size());
        assertEquals(0, bridge.sent(p2).size());
        assertEquals(1, bridge.counter("l2-forward.unknown-unicast"), "only the first frame was unknown");
    }

    @Test
    void aMacSeenOnAnotherPortMovesAndTrafficFollowsIt()
    {
        bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));
        bridge.sendOne(p1, Fixture.frame("arp_reply_host"));

        final Outcome moved = bridge.sendOne(p2, Fixture.frame("udp_a_to_b"));

        assertEquals(FORWARDED_PATH, moved.pathText(), "B is known on p1");
        assertEquals(1, bridge.counter("l2-learn.mac-move"));
        assertEquals(p2, bridge.fdb(network).lookup(A_MAC, 0));
        assertEquals(0, bridge.fdb(network).learnedOn(p0));
        assertEquals(1, bridge.fdb(network).learnedOn(p2));
        bridge.clearSent();

        bridge.sendOne(p1, Fixture.frame("arp_reply_host"));

        assertEquals(0, bridge.sent(p0).size());
        assertEquals(1, bridge.sent(p2).size());
    }

    @Test
    void aPortBeyondItsMacLimitDropsFramesFromNewMacsButNotFromKnownOnes()
    {
        final int limited = bridge.port(network, false, 0, new int[0], 1500, 2);
        final byte[] udp = Fixture.frame("udp_a_to_b");

        bridge.sendOne(limited, Frames.withSource(udp, Frames.hostMac(1)));
        bridge.sendOne(limited, Frames.withSource(udp, Frames.hostMac(2)));
        bridge.clearSent();
        final Outcome third = bridge.sendOne(limited, Frames.withSource(udp, Frames.hostMac(3)));
        final Outcome known = bridge.sendOne(limited, Frames.withSource(udp, Frames.hostMac(2)));

        assertTrue(third.dropped());
        assertEquals("l2-learn.mac-limit", third.dropReason());
        assertEquals("ethernet-input > l2-learn > error-drop", third.pathText());
        assertEquals(1, bridge.counter("l2-learn.mac-limit"));
        assertEquals(1, bridge.portCounter(limited, CounterLayout.PORT_RX_DROPS));
        assertEquals(-1, bridge.fdb(network).lookup(Frames.hostMac(3), 0));
        assertEquals(2, bridge.fdb(network).learnedOn(limited));
        assertFalse(known.dropped());
        assertEquals(1, bridge.sent(p0).size(), "only the known MAC's frame was flooded");
    }

    @Test
    void aFullTableStopsLearningButStillFloods()
    {
        final BridgeHarness small = new BridgeHarness();
        try
        {
            final int net = small.addNetwork("small", "10.1.0.0", 24, "10.1.0.1", 0x02420a010001L, 2);
            final int in = small.accessPort(net, 0);
            final int out = small.accessPort(net, 0);
            final byte[] udp = Fixture.frame("udp_a_to_b");
            small.sendOne(in, Frames.withSource(udp, Frames.hostMac(1)));
            small.sendOne(in, Frames.withSource(udp, Frames.hostMac(2)));

            final Outcome third = small.sendOne(in, Frames.withSource(udp, Frames.hostMac(3)));

            assertFalse(third.dropped());
            assertEquals(FLOODED_PATH, third.pathText());
            assertEquals(1, small.counter("l2-learn.table-full"));
            assertEquals(2, small.fdb(net).size());
            assertEquals(3, small.sent(out).size());
        }
        finally
        {
            small.close();
        }
    }

    @Test
    void aFrameFromAStaticMacOnAnotherPortIsDropped()
    {
        bridge.fdb(network).addStatic(A_MAC, 0, p1);

        final Outcome outcome = bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));

        assertEquals("l2-learn.static-mac-conflict", outcome.dropReason());
        assertEquals(p1, bridge.fdb(network).lookup(A_MAC, 0));
        assertEquals(0, bridge.sent(p1).size() + bridge.sent(p2).size());
    }

    @Test
    void aFrameForAMacBehindTheIngressPortIsDroppedNotReflected()
    {
        bridge.sendOne(p0, Fixture.frame("arp_reply_host")); // B is behind p0 too
        bridge.clearSent();

        final Outcome outcome = bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));

        assertEquals("l2-forward.same-port", outcome.dropReason());
        assertEquals("ethernet-input > l2-learn > l2-forward > error-drop", outcome.pathText());
        assertEquals(0, bridge.sent(p0).size() + bridge.sent(p1).size() + bridge.sent(p2).size());
    }

    @Test
    void aRefreshKeepsTheEntryFromAgingOut()
    {
        bridge.nowMs(1_000);
        bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));
        bridge.nowMs(250_000);
        bridge.sendOne(p0, Fixture.frame("udp_a_to_b"));

        assertEquals(0, bridge.fdb(network).expire(301_000, FdbTable.DEFAULT_AGING_MS));
        assertEquals(p0, bridge.fdb(network).lookup(A_MAC, 0));
        assertEquals(1, bridge.fdb(network).expire(550_000, FdbTable.DEFAULT_AGING_MS));
        assertEquals(-1, bridge.fdb(network).lookup(A_MAC, 0));
        assertEquals(1, bridge.counter("l2-learn.new-mac"), "the second frame refreshed, it did not learn");
    }

    @Test
    void aBatchOfManyHostsLearnsEveryOne()
    {
        final byte[] udp = Fixture.frame("udp_a_to_b");
        final byte[][] frames = new byte[200][];
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = Frames.withSource(udp, Frames.hostMac(100 + i));
        }

        bridge.send(p0, frames);

        assertEquals(200, bridge.counter("l2-learn.new-mac"));
        assertEquals(200, bridge.fdb(network).learnedOn(p0));
        for (int i = 0; i < frames.length; i++)
        {
            assertEquals(p0, bridge.fdb(network).lookup(Frames.hostMac(100 + i), 0));
        }
        assertEquals(200, bridge.sent(p1).size());
    }
}
