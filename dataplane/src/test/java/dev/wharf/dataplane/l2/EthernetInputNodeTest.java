package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.table.FdbTable;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * ethernet-input alone, followed by a probe standing in for l2-learn that records what the node
 * left in the batch; and its drops through the whole pipeline.
 */
class EthernetInputNodeTest
{
    private final List<BufferPool> pools = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        pools.forEach(BufferPool::close);
    }

    /** Stands in for l2-learn: copies each packet's metadata and bytes, then ends its walk. */
    private static final class Probe extends Node
    {
        final List<int[]> metadata = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> offloads = new ArrayList<>();

        Probe()
        {
            super(L2LearnNode.NAME, new String[0], new String[0]);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                final int i = packets[k];
                metadata.add(new int[]{batch.flags[i], batch.vlan[i], batch.network[i], batch.l3Offset[i], batch.length[i], batch.headroom[i]});
                final byte[] copy = new byte[batch.length[i]];
                batch.frame(i).getBytes(0, copy);
                frames.add(copy);
                offloads.add(batch.offload[i]);
                done(batch, i);
            }
        }
    }

    private final class Rig
    {
        final Probe probe = new Probe();
        final NodeGraph graph = new NodeGraph(List.of(new EthernetInputNode(), new PortSecurityNode(), probe, new DropNode()));
        final WorkerContext context = new WorkerContext(0, graph.layout());
        final BufferPool pool = new BufferPool(16, 2048, 128);
        final PacketBatch batch = new PacketBatch();
        final MemoryPort port = new MemoryPort("probe", 1500, 4);

        Rig(final boolean trunk, final int accessVlan, final int... trunkVlans)
        {
            pools.add(pool);
            final NetworkState network = new NetworkState(0, "n", 0x0A000000, 24, 0x0A000001, 0x02420a000001L,
                new FdbTable(16, CounterLayout.MAX_PORTS), new int[]{0});
            context.snapshot = new DataplaneSnapshot(1, new NetworkState[]{network},
                new PortBinding[]{new PortBinding(0, port, 0, trunk, accessVlan, trunkVlans, 1500, 10)}, 1);
        }

        void add(final byte[] frame, final int inPort, final long offload)
        {
            final int slot = pool.acquire();
            new UnsafeBuffer(pool.dataAddress(slot), frame.length).putBytes(0, frame);
            final int i = batch.add(pool.dataAddress(slot), frame.length, pool.headroom(), inPort);
            batch.offload[i] = offload;
        }

        long counter(final String name)
        {
            return context.counters.get(graph.layout().errorId(name));
        }
    }

    @Test
    void recordsFlagsVlanNetworkAndL3OffsetForEachKindOfFrame()
    {
        final Rig rig = new Rig(true, 0, 10);
        rig.add(Fixture.frame("arp_request_gateway"), 0, 0);
        rig.add(Fixture.frame("udp_multicast"), 0, 0);
        rig.add(Fixture.frame("ipv6_tcp_syn"), 0, 0);
        rig.add(Fixture.frame("dot1q_vid10"), 0, 0);

        rig.graph.run(rig.batch, rig.context);

        assertEquals(4, rig.probe.metadata.size());
        final int[] arp = rig.probe.metadata.get(0);
        assertEquals(PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_ARP, arp[0]);
        assertEquals(0, arp[1]);
        assertEquals(0, arp[2]);
        assertEquals(14, arp[3]);
        assertEquals(PacketBatch.FLAG_MULTICAST | PacketBatch.FLAG_IPV4, rig.probe.metadata.get(1)[0]);
        assertEquals(PacketBatch.FLAG_IPV6, rig.probe.metadata.get(2)[0]);
        final int[] tagged = rig.probe.metadata.get(3);
        assertEquals(PacketBatch.FLAG_VLAN_STRIPPED | PacketBatch.FLAG_IPV4, tagged[0]);
        assertEquals(10, tagged[1]);
        assertEquals(Fixture.load("dot1q_vid10").length() - 4, tagged[4]);
        assertEquals(128 + 4, tagged[5], "the stripped tag's four bytes became headroom");
        assertArrayEquals(Fixture.frame("udp_a_to_b"), rig.probe.frames.get(3), "scapy's untagged frame");
    }

    @Test
    void strippingATagMovesAPartialChecksumStartWithTheFrame()
    {
        final Rig rig = new Rig(true, 0, 10);
        final long offload = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_NONE, 0, 18 + 20, 6);
        rig.add(Fixture.frame("dot1q_vid10"), 0, offload);

        rig.graph.run(rig.batch, rig.context);

        assertEquals(14 + 20, OffloadInfo.csumStart(rig.probe.offloads.get(0)));
        assertEquals(6, OffloadInfo.csumOffset(rig.probe.offloads.get(0)));
    }

    @Test
    void aGsoSuperFrameAboveTheMtuIsNotOversize()
    {
        final Rig rig = new Rig(false, 0);
        final byte[] big = new byte[9014];
        System.arraycopy(Fixture.frame("udp_a_to_b"), 0, big, 0, 42);
        rig.add(big, 0, OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_UDP_L4, 1472, 34, 6));
        rig.add(big, 0, 0);

        rig.graph.run(rig.batch, rig.context);

        assertEquals(1, rig.probe.frames.size(), "the GSO frame passed");
        assertEquals(9014, rig.probe.metadata.get(0)[4]);
        assertEquals(1, rig.counter("ethernet-input.oversize"), "the plain one did not");
    }

    @Test
    void aFrameFromAPortNotInTheSnapshotIsDroppedAsUnknownPort()
    {
        final Rig rig = new Rig(false, 0);
        rig.add(Fixture.frame("udp_a_to_b"), 7, 0);
        rig.add(Fixture.frame("udp_a_to_b"), -1, 0);

        rig.graph.run(rig.batch, rig.context);

        assertEquals(0, rig.probe.frames.size());
        assertEquals(2, rig.counter("ethernet-input.unknown-port"));
        assertEquals(1, rig.context.counters.get(rig.graph.layout().portCounter(7, CounterLayout.PORT_RX_DROPS)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "runt_13, ethernet-input.runt",
        "dot1q_truncated, ethernet-input.runt",
        "source_multicast, ethernet-input.invalid-source-mac",
        "source_broadcast, ethernet-input.invalid-source-mac",
        "source_zero, ethernet-input.invalid-source-mac",
        "stp_bpdu, ethernet-input.reserved-multicast",
        "lldp, ethernet-input.reserved-multicast",
        "llc_snap_unicast, ethernet-input.llc-unsupported",
        "qinq_8021ad, ethernet-input.unsupported-qinq",
        "oversize_1515, ethernet-input.oversize"})
    void malformedAndUnsupportedFramesAreDroppedUnderTheirReason(final String name, final String reason)
    {
        try (BridgeHarness bridge = new BridgeHarness())
        {
            final int network = bridge.addDefaultNetwork();
            final int in = bridge.trunkPort(network, 10);
            final int other = bridge.accessPort(network, 0);

            final Outcome outcome = bridge.sendOne(in, Fixture.frame(name));

            assertEquals(reason, outcome.dropReason());
            assertEquals("ethernet-input > error-drop", outcome.pathText());
            assertEquals(1, bridge.counter(reason));
            assertEquals(1, bridge.portCounter(in, CounterLayout.PORT_RX_DROPS));
            assertEquals(0, bridge.sent(other).size());
            assertEquals(-1, bridge.fdb(network).lookup(Fixture.load(name).length() >= 12 ? sourceOf(Fixture.frame(name)) : 0, 0),
                "nothing learned from a dropped frame");
        }
    }

    @Test
    void aFullSizeFrameAtTheMtuPasses()
    {
        try (BridgeHarness bridge = new BridgeHarness())
        {
            final int network = bridge.addDefaultNetwork();
            final int in = bridge.accessPort(network, 0);
            final int out = bridge.accessPort(network, 0);

            final Outcome outcome = bridge.sendOne(in, Fixture.frame("max_1514"));

            assertFalse(outcome.dropped());
            assertEquals(1514, bridge.sent(out).get(0).length);
        }
    }

    @Test
    void egressToASmallerMtuPortDropsOnlyThatCopy()
    {
        try (BridgeHarness bridge = new BridgeHarness())
        {
            final int network = bridge.addDefaultNetwork();
            final int in = bridge.accessPort(network, 0);
            final int small = bridge.port(network, false, 0, new int[0], 1400, 10);
            final int big = bridge.accessPort(network, 0);

            bridge.sendOne(in, Fixture.frame("max_1514"));

            assertEquals(0, bridge.sent(small).size());
            assertEquals(1, bridge.portCounter(small, CounterLayout.PORT_TX_DROPS));
            assertEquals(1, bridge.sent(big).size());
        }
    }

    private static long sourceOf(final byte[] frame)
    {
        long mac = 0;
        for (int i = 6; i < 12; i++)
        {
            mac = (mac << 8) | (frame[i] & 0xFF);
        }
        return mac;
    }
}
