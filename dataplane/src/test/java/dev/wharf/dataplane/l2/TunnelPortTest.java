package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import dev.wharf.dataplane.worker.Pipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tunnel is a port: a network member that reaches many peers (remote VTEPs), whose unicast transmit
 * is a node on the l2-output arc and whose flooded copies arrive through its queue with peer 0 (head-end
 * replication is the tunnel's business). The bridge learns and forwards (MAC -> port, peer) with no
 * overlay knowledge. The tunnel here is a memory port and a test node, as the overlay feature's will be
 * a UDP underlay and an encapsulation node.
 */
class TunnelPortTest
{
    private static final int VTEP_7 = 7;
    private static final int VTEP_9 = 9;
    private static final long REMOTE_MAC = Frames.B_MAC;

    private final List<Integer> encapsulatedPeers = new ArrayList<>();
    private final List<byte[]> encapsulatedFrames = new ArrayList<>();
    private BridgeHarness bridge;
    private int network;
    private int local;
    private int other;
    private int tunnel;

    @BeforeEach
    void setUp()
    {
        bridge = new BridgeHarness(Pipeline.compose(0, List.of(new TestTunnelFeature())));
        network = bridge.addDefaultNetwork();
        local = bridge.accessPort(network, 0);
        other = bridge.accessPort(network, 0);
        tunnel = bridge.accessPort(network, 0);
    }

    @AfterEach
    void tearDown()
    {
        bridge.close();
    }

    /** A frame from the remote host (B) to A, as it arrives decapsulated from a VTEP. */
    private static byte[] fromRemote()
    {
        return Frames.withAddresses(Fixture.frame("udp_a_to_b"), Frames.A_MAC, REMOTE_MAC);
    }

    @Test
    void aMacLearnedFromAPeerIsForwardedToThatPeerThroughTheTunnelsTransmitNode()
    {
        bridge.sendFromPeer(tunnel, fromRemote(), VTEP_7);

        final long entry = bridge.fdb(network).lookupEntry(REMOTE_MAC, 0);
        assertEquals(tunnel, FdbTable.portOf(entry));
        assertEquals(VTEP_7, FdbTable.peerOf(entry));
        bridge.clearSent(); // A was unknown: that frame was flooded

        final byte[] toRemote = Fixture.frame("udp_a_to_b");
        final Outcome outcome = bridge.sendOne(local, toRemote);

        assertEquals("ethernet-input > l2-learn > l2-forward > test-tunnel-tx", outcome.pathText());
        assertEquals(List.of(VTEP_7), encapsulatedPeers);
        assertArrayEquals(toRemote, encapsulatedFrames.get(0));
        assertEquals(0, bridge.sent(tunnel).size(), "a unicast frame leaves through the node, not the port's queue");
        assertEquals(0, bridge.sent(other).size());
    }

    @Test
    void aTunnelWithLearningOffForwardsOnlyToItsStaticEndpointsAndFloodsTheRest()
    {
        bridge.learning(tunnel, false);

        final Outcome arrived = bridge.sendFromPeer(tunnel, fromRemote(), VTEP_7);

        assertFalse(arrived.dropped(), arrived.toString());
        assertEquals(FdbTable.MISSING, bridge.fdb(network).lookupEntry(REMOTE_MAC, 0), "nothing learned behind the tunnel");
        assertEquals(0, bridge.counter("l2-learn.new-mac"));
        bridge.clearSent();
        bridge.sendOne(local, Fixture.frame("udp_a_to_b"));
        assertEquals(List.of(0), bridge.sentPeers(tunnel), "the unknown remote MAC is flooded to every peer");
        assertTrue(encapsulatedPeers.isEmpty());
        bridge.fdb(network).addStatic(REMOTE_MAC, 0, tunnel, VTEP_9);
        bridge.sendOne(local, Fixture.frame("udp_a_to_b"));
        assertEquals(List.of(VTEP_9), encapsulatedPeers, "a static endpoint is forwarded to its peer");
    }

    @Test
    void theSameMacBehindAnotherPeerIsAMove()
    {
        bridge.sendFromPeer(tunnel, fromRemote(), VTEP_7);
        bridge.sendFromPeer(tunnel, fromRemote(), VTEP_9);

        assertEquals(1, bridge.counter("l2-learn.mac-move"));
        assertEquals(VTEP_9, FdbTable.peerOf(bridge.fdb(network).lookupEntry(REMOTE_MAC, 0)));
        bridge.sendOne(local, Fixture.frame("udp_a_to_b"));
        assertEquals(List.of(VTEP_9), encapsulatedPeers);
    }

    @Test
    void aStaticEndpointBehindAPeerIsForwardedThere()
    {
        bridge.fdb(network).addStatic(REMOTE_MAC, 0, tunnel, 11);

        bridge.sendOne(local, Fixture.frame("udp_a_to_b"));

        assertEquals(List.of(11), encapsulatedPeers);
        assertTrue(bridge.fdb(network).entries(0).contains(new FdbTable.Entry(REMOTE_MAC, 0, tunnel, true, 0, 11)));
    }

    @Test
    void floodingGivesTheTunnelOneCopyForAllItsPeersAndKeepsTheIngressPeerForAnswers()
    {
        final Outcome flooded = bridge.sendOne(local, Fixture.frame("udp_multicast"));

        assertFalse(flooded.dropped(), flooded.toString());
        assertEquals(1, bridge.sent(other).size());
        assertEquals(List.of(0), bridge.sentPeers(tunnel), "peer 0: every peer of the tunnel (head-end replication)");
        assertTrue(encapsulatedPeers.isEmpty());

        // the gateway's answer to an ARP request that came through the tunnel goes back to the peer it came from,
        // while the flooded copies of that request went to every peer
        final Outcome arp = bridge.sendFromPeer(tunnel, Fixture.frame("arp_request_gateway"), VTEP_9);

        assertTrue(arp.path().contains("arp-input"), arp.toString());
        assertEquals(List.of(VTEP_9), encapsulatedPeers);
        assertArrayEquals(Fixture.frame("arp_reply_gateway_expected"), encapsulatedFrames.get(0), "scapy's reply, byte for byte");
        assertEquals(0, bridge.sentPeers(local).get(0), "a port without peers is handed peer 0 too");
    }

    /** The test's overlay: its transmit node on l2-output takes the frames for the tunnel port. */
    private final class TestTunnelFeature implements GraphFeature
    {
        @Override
        public String name()
        {
            return "test-tunnel";
        }

        @Override
        public void contribute(final int worker, final GraphComposer composer)
        {
            composer.feature(FeatureArc.L2_OUTPUT, new TunnelTransmitNode());
        }
    }

    private final class TunnelTransmitNode extends Node
    {
        TunnelTransmitNode()
        {
            super("test-tunnel-tx", new String[]{FeatureArc.NEXT}, new String[0]);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                final int i = packets[k];
                if (batch.outPort[i] != tunnel)
                {
                    next(batch, i, 0);
                    continue;
                }
                encapsulatedPeers.add(batch.portPeer[i]);
                final byte[] frame = new byte[batch.length[i]];
                batch.frame(i).getBytes(0, frame);
                encapsulatedFrames.add(frame);
                done(batch, i);
            }
        }
    }
}
