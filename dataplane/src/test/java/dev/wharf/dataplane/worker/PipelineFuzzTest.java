package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 random, truncated and mutated frames (seeded from scapy's fixtures) through the whole bridge
 * pipeline: nothing throws, every frame ends sent, flooded or dropped under a named reason, the
 * counters agree with what happened, and no frame crosses a network or VLAN boundary.
 */
class PipelineFuzzTest
{
    private static final int FRAMES = 10_000;
    private static final long SEED = 0x5EED_F00DL;
    private static final Set<String> ENDS = Set.of("interface-output", "l2-flood", "arp-input", NodeGraph.DROP_NODE);
    private static final int[] ETHER_TYPES = {0x0800, 0x0806, 0x8100, 0x88A8, 0x86DD, 0x0026, 0x05DC, 0x0600, 0xFFFF};

    @Test
    void randomAndMutatedFramesNeverThrowAndEachEndsSentOrDroppedWithAReason()
    {
        final Random random = new Random(SEED);
        final List<byte[]> seeds = Fixture.names().stream().map(Fixture::frame).toList();
        try (BridgeHarness bridge = new BridgeHarness())
        {
            final int net0 = bridge.addDefaultNetwork();
            final int net1 = bridge.addNetwork("net1", "10.0.1.0", 24, "10.0.1.1", 0x02420a000101L);
            final int[] ports = {
                bridge.accessPort(net0, 0), bridge.accessPort(net0, 0), bridge.accessPort(net0, 10),
                bridge.trunkPort(net0, 10, 20), bridge.port(net0, false, 0, new int[0], 1500, 8),
                bridge.accessPort(net1, 0), bridge.trunkPort(net1, 20)};
            final int[] networkOf = {net0, net0, net0, net0, net0, net1, net1};
            final Map<String, Integer> dropsByReason = new HashMap<>();
            int dropped = 0;
            int endedSent = 0;
            int endedFlooded = 0;
            int injected = 0;
            long floodVisits = 0;
            while (injected < FRAMES)
            {
                final int in = random.nextInt(ports.length);
                final int count = Math.min(FRAMES - injected, 1 + random.nextInt(PacketBatch.CAPACITY));
                final byte[][] frames = new byte[count][];
                for (int k = 0; k < count; k++)
                {
                    frames[k] = mutate(seeds.get(random.nextInt(seeds.size())), random);
                }
                final int[] sentBefore = sentCounts(bridge, ports);

                final List<Outcome> outcomes = bridge.send(ports[in], frames);

                assertEquals(count, outcomes.size());
                for (int k = 0; k < count; k++)
                {
                    final Outcome outcome = outcomes.get(k);
                    final String where = "seed " + SEED + " frame " + (injected + k) + " " + Frames.hex(frames[k]) + " " + outcome;
                    assertTrue(ENDS.contains(outcome.lastNode()), where);
                    assertEquals("ethernet-input", outcome.path().get(0), where);
                    floodVisits += outcome.path().contains("l2-flood") ? 1 : 0;
                    if (outcome.lastNode().equals(NodeGraph.DROP_NODE))
                    {
                        assertNotNull(outcome.dropReason(), where);
                        assertTrue(outcome.dropReason().matches("[a-z0-9-]+\\.[a-z0-9-]+"), where);
                        dropsByReason.merge(outcome.dropReason(), 1, Integer::sum);
                        dropped++;
                    }
                    else if (outcome.lastNode().equals("interface-output"))
                    {
                        endedSent++;
                    }
                    else
                    {
                        endedFlooded++;
                    }
                }
                final int[] sentAfter = sentCounts(bridge, ports);
                for (int p = 0; p < ports.length; p++)
                {
                    if (networkOf[p] != networkOf[in])
                    {
                        assertEquals(sentBefore[p], sentAfter[p], "a frame from network " + networkOf[in] + " reached port " + p);
                    }
                }
                injected += count;
            }

            assertEquals(FRAMES, dropped + endedSent + endedFlooded, "every frame accounted for");
            assertEquals(dropped, bridge.nodePackets(NodeGraph.DROP_NODE));
            long rxDrops = 0;
            long txPackets = 0;
            long sentFrames = 0;
            for (final int port : ports)
            {
                rxDrops += bridge.portCounter(port, CounterLayout.PORT_RX_DROPS);
                txPackets += bridge.portCounter(port, CounterLayout.PORT_TX_PACKETS);
                sentFrames += bridge.sent(port).size();
            }
            assertEquals(dropped, rxDrops, "every drop charged to its ingress port");
            assertEquals(sentFrames, txPackets, "tx counters match what the ports sent");
            assertTrue(sentFrames >= endedSent);
            for (final Map.Entry<String, Integer> e : dropsByReason.entrySet())
            {
                assertTrue(bridge.counter(e.getKey()) >= e.getValue(), e.getKey());
            }
            assertEquals(floodVisits, bridge.nodePackets("l2-flood"), "node counters agree with the paths");
            assertEquals(bridge.nodePackets("l2-flood"), bridge.counter("l2-flood.flooded") + bridge.counter("l2-flood.no-other-port"));
            assertTrue(dropsByReason.size() >= 15, "the mutations reach many drop reasons: " + dropsByReason.keySet());
            assertTrue(endedSent > 100 && endedFlooded > 100, "and many frames get through: " + endedSent + " sent, " + endedFlooded + " flooded");
            assertEgressFramesRespectVlans(bridge, ports);
        }
    }

    /**
     * The same mutations through a routed topology: two connected networks (one with icc off), an
     * internal one and the uplink, every neighbour known, so mutated frames reach ip4-lookup, ip4-local,
     * ip4-rewrite, ip4-arp and icmp-error. Nothing throws; every frame ends sent, flooded, consumed
     * or dropped under a named reason; no frame reaches the internal network from the others.
     */
    @Test
    void mutatedFramesThroughTheRouterNeverThrowAndEachEndsWithAReason()
    {
        final Random random = new Random(SEED + 1);
        final List<byte[]> seeds = Fixture.names().stream().map(Fixture::frame).toList();
        try (BridgeHarness router = new BridgeHarness())
        {
            final int net0 = router.addDefaultNetwork();
            final int net1 = router.addNetwork("net1", "10.0.1.0", 24, "10.0.1.1", 0x02420a000101L,
                new dev.wharf.dataplane.config.NetworkPolicy(false, false));
            final int internal = router.addNetwork("int", "10.0.2.0", 24, "10.0.2.1", 0x02420a000201L,
                new dev.wharf.dataplane.config.NetworkPolicy(true, true));
            final int uplink = router.addUplink("192.168.100.2", 24, 0x0200c0a86402L, "192.168.100.1");
            router.connect(net0, net1);
            final int[] ports = {
                router.accessPort(net0, 0), router.accessPort(net0, 0), router.trunkPort(net0, 10),
                router.port(net1, false, 0, new int[0], 1400, 1024), router.accessPort(net1, 0),
                router.accessPort(internal, 0), router.accessPort(uplink, 0)};
            final int internalPort = ports[5];
            router.neighbours(net0).learn(Fixture.ipv4Value("10.0.0.3"), Frames.B_MAC, 1_000);
            router.fdb(net0).learn(Frames.B_MAC, 0, ports[1], 1_000, 1024);
            router.neighbours(net1).learn(Fixture.ipv4Value("10.0.1.2"), 0x02420a000102L, 1_000);
            router.fdb(net1).learn(0x02420a000102L, 0, ports[3], 1_000, 1024);
            router.neighbours(uplink).learn(Fixture.ipv4Value("192.168.100.1"), 0x0200c0a86401L, 1_000);
            router.fdb(uplink).learn(0x0200c0a86401L, 0, ports[6], 1_000, 1024);
            final Set<String> ends = Set.of("interface-output", "l2-flood", "arp-input", NodeGraph.DROP_NODE);
            final long[] destinations = {Frames.GATEWAY_MAC, 0x02420a000101L, 0x02420a000201L, 0x0200c0a86402L, 0xFFFF_FFFF_FFFFL};
            final Map<String, Integer> dropsByReason = new HashMap<>();
            int injected = 0;
            int routed = 0;
            while (injected < FRAMES)
            {
                final int in = random.nextInt(ports.length);
                final int count = Math.min(FRAMES - injected, 1 + random.nextInt(PacketBatch.CAPACITY));
                final byte[][] frames = new byte[count][];
                for (int k = 0; k < count; k++)
                {
                    frames[k] = mutate(seeds.get(random.nextInt(seeds.size())), random);
                    if (frames[k].length >= 12 && random.nextBoolean())
                    {
                        Frames.putMac(frames[k], 0, destinations[random.nextInt(destinations.length)]);
                    }
                }
                final int internalBefore = router.sent(internalPort).size();
                router.nowMs(router.context().nowMs + random.nextInt(50));

                final List<Outcome> outcomes = router.send(ports[in], frames);

                for (int k = 0; k < count; k++)
                {
                    final Outcome outcome = outcomes.get(k);
                    final String where = "frame " + (injected + k) + " " + Frames.hex(frames[k]) + " " + outcome;
                    assertTrue(ends.contains(outcome.lastNode()), where);
                    routed += outcome.path().contains("ip4-rewrite") ? 1 : 0;
                    if (outcome.dropped())
                    {
                        assertTrue(outcome.dropReason().matches("[a-z0-9-]+\\.[a-z0-9-]+"), where);
                        dropsByReason.merge(outcome.dropReason(), 1, Integer::sum);
                    }
                }
                if (ports[in] != internalPort)
                {
                    // only the gateway's own answers (ARP, echo, errors) and floods within the network may reach it
                    assertEquals(internalBefore, router.sent(internalPort).size(), "a frame reached the internal network");
                }
                router.clearSent();
                injected += count;
            }
            assertTrue(routed > 100, "many frames are routed: " + routed);
            assertTrue(dropsByReason.keySet().stream().anyMatch(r -> r.startsWith("ip4-lookup.")), dropsByReason.keySet().toString());
        }
    }

    /** No port receives a frame still carrying a tag it did not ask for, or bigger than its MTU allows. */
    private static void assertEgressFramesRespectVlans(final BridgeHarness bridge, final int[] ports)
    {
        final boolean[] trunk = {false, false, false, true, false, false, true};
        final Set<Integer>[] vids = new Set[]{Set.of(), Set.of(), Set.of(), Set.of(10, 20), Set.of(), Set.of(), Set.of(20)};
        for (int p = 0; p < ports.length; p++)
        {
            for (final byte[] frame : bridge.sent(ports[p]))
            {
                assertTrue(frame.length >= 14, "port " + p + " sent " + Frames.hex(frame));
                int type = Frames.u16(frame, 12);
                int payload = frame.length - 14;
                if (trunk[p] && type == 0x8100)
                {
                    final int vid = Frames.u16(frame, 14) & 0x0FFF;
                    assertTrue(vids[p].contains(vid), "port " + p + " got VLAN " + vid);
                    type = Frames.u16(frame, 16);
                    payload -= 4;
                }
                assertTrue(type != 0x8100 && type != 0x88A8, "port " + p + " got a frame still tagged: " + Frames.hex(frame));
                assertTrue(payload <= 1500, "port " + p + " got " + frame.length + " bytes");
            }
        }
    }

    private static int[] sentCounts(final BridgeHarness bridge, final int[] ports)
    {
        final int[] counts = new int[ports.length];
        for (int p = 0; p < ports.length; p++)
        {
            counts[p] = bridge.sent(ports[p]).size();
        }
        return counts;
    }

    private static byte[] mutate(final byte[] seed, final Random random)
    {
        byte[] frame = seed.clone();
        switch (random.nextInt(8))
        {
            case 0 -> frame = java.util.Arrays.copyOf(frame, random.nextInt(frame.length + 1)); // truncated anywhere
            case 1 ->
            {
                for (int n = 1 + random.nextInt(8); n > 0 && frame.length > 0; n--)
                {
                    frame[random.nextInt(frame.length)] ^= (byte)(1 + random.nextInt(255));
                }
            }
            case 2 ->
            {
                frame = new byte[random.nextInt(1600)];
                random.nextBytes(frame);
            }
            case 3 -> frame = java.util.Arrays.copyOf(frame, frame.length + random.nextInt(1600)); // zero tail
            case 4 ->
            {
                if (frame.length >= 14)
                {
                    final int type = ETHER_TYPES[random.nextInt(ETHER_TYPES.length)];
                    frame[12] = (byte)(type >>> 8);
                    frame[13] = (byte)type;
                }
            }
            case 5 ->
            {
                if (frame.length > 20)
                {
                    frame[14 + random.nextInt(Math.min(30, frame.length - 14))] = (byte)random.nextInt(256); // inside L3 or a tag
                }
            }
            default ->
            {
                // unchanged: plenty of well-formed traffic keeps learning and forwarding busy
            }
        }
        if (frame.length >= 12 && random.nextInt(3) == 0)
        {
            final long[] destinations = {Frames.GATEWAY_MAC, 0x02420a000101L, 0xFFFF_FFFF_FFFFL, Frames.A_MAC, Frames.B_MAC};
            Frames.putMac(frame, 0, destinations[random.nextInt(destinations.length)]);
        }
        if (frame.length >= 12 && random.nextInt(4) == 0)
        {
            Frames.putMac(frame, 6, Frames.hostMac(random.nextInt(64)));
        }
        return frame;
    }
}
