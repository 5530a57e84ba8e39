package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.table.NeighbourTable;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.BridgeHarness.Outcome;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import dev.wharf.dataplane.testing.Tshark;
import dev.wharf.dataplane.worker.Pipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The routed pipeline between two container networks and the uplink: forwarding, isolation, TTL,
 * neighbour resolution, ICMP errors, and the resets the switch's own addresses answer TCP with.
 * Frames come from scapy (make_fixtures.py, "routed"); what Wharf sends is compared byte for byte
 * with what scapy builds, checksums computed from scratch, and dissected by tshark with checksum
 * validation on.
 */
class RouterTest
{
    static final long NET1_GW_MAC = 0x02420a000101L;
    static final long C_MAC = 0x02420a000102L;
    static final long UPLINK_MAC = 0x0200c0a86402L;
    static final long ROUTER_MAC = 0x0200c0a86401L;
    static final int C_MTU = 1400;
    static final String RESET_PATH =
        "ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-local > tcp-reset > interface-output";

    private BridgeHarness router;
    private int net0;
    private int net1;
    private int uplink;
    private int a;
    private int b;
    private int c;
    private int c2;
    private int up;

    @AfterEach
    void tearDown()
    {
        if (router != null)
        {
            router.close();
        }
    }

    private void build(final NodeGraph graph, final NetworkPolicy net0Policy, final boolean withUplink)
    {
        router = new BridgeHarness(graph);
        net0 = router.addNetwork("net0", "10.0.0.0", 24, Frames.GATEWAY_IP, Frames.GATEWAY_MAC, net0Policy);
        net1 = router.addNetwork("net1", "10.0.1.0", 24, "10.0.1.1", NET1_GW_MAC);
        a = router.accessPort(net0, 0);
        b = router.accessPort(net0, 0);
        c = router.port(net1, false, 0, new int[0], C_MTU, BridgeHarness.DEFAULT_MAC_LIMIT);
        c2 = router.accessPort(net1, 0);
        if (withUplink)
        {
            uplink = router.addUplink("192.168.100.2", 24, UPLINK_MAC, "192.168.100.1");
            up = router.accessPort(uplink, 0);
        }
    }

    private void build()
    {
        build(Pipeline.standard(), NetworkPolicy.DEFAULT, true);
    }

    /** What ARP would have taught: the neighbour's MAC and the port it is behind. */
    private void resolve(final int network, final String ip, final long mac, final int port)
    {
        router.neighbours(network).learn(Fixture.ipv4Value(ip), mac, router.context().nowMs);
        router.fdb(network).learn(mac, 0, port, router.context().nowMs, 1024);
    }

    private void assertFrame(final String expected, final byte[] actual)
    {
        final byte[] want = Fixture.frame(expected);
        assertArrayEquals(want, actual, "expected " + Frames.hex(want) + "\n but was " + Frames.hex(actual));
    }

    private int sentTotal()
    {
        int total = 0;
        for (int p = 0; p < router.portCount(); p++)
        {
            total += router.sent(p).size();
        }
        return total;
    }

    @Test
    void aPacketBetweenConnectedNetworksIsRoutedWithNewMacsAndTtlMinusOne()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_c"));

        assertEquals("ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-isolation > ip4-forward > ip4-rewrite > interface-output",
            outcome.pathText());
        assertEquals(1, router.sent(c).size());
        assertFrame("route_a_to_c_expected", router.sent(c).get(0));
        assertEquals(1, sentTotal());
        assertEquals(1, router.portCounter(c, CounterLayout.PORT_TX_PACKETS));
    }

    @Test
    void ethernetPaddingIsNotForwarded()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);

        router.sendOne(a, Fixture.frame("route_a_to_c_padded"));

        assertFrame("route_a_to_c_expected", router.sent(c).get(0));
    }

    @Test
    void theSenderIsGleanedSoTheReplyNeedsNoArp()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);
        router.sendOne(a, Fixture.frame("route_a_to_c"));
        assertEquals(Frames.A_MAC, router.neighbours(net0).lookup(Fixture.ipv4Value("10.0.0.2")));

        final Outcome reply = router.sendOne(c, Fixture.frame("route_c_to_a"));

        assertFalse(reply.dropped(), reply.toString());
        assertEquals(1, router.sent(a).size());
        assertEquals(Frames.A_MAC, Frames.macAt(router.sent(a).get(0), 0));
        assertEquals(Frames.GATEWAY_MAC, Frames.macAt(router.sent(a).get(0), 6));
    }

    @Test
    void unconnectedContainerNetworksAreIsolated()
    {
        build();
        resolve(net1, "10.0.1.2", C_MAC, c);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_c"));

        assertEquals("ip4-isolation.networks-isolated", outcome.dropReason());
        assertEquals(1, router.counter("ip4-isolation.networks-isolated"));
        assertEquals(0, sentTotal());
    }

    @Test
    void aPublishedPortCrossesNetworksAndAnEstablishedConnectionSkipsIsolation()
    {
        build(Pipeline.compose(0, List.of(new FlagFeature(PacketBatch.FLAG_PUBLISHED))),
            NetworkPolicy.DEFAULT, true);
        resolve(net1, "10.0.1.2", C_MAC, c);
        resolve(net0, "10.0.0.2", Frames.A_MAC, a);

        assertFalse(router.sendOne(a, Fixture.frame("route_a_to_c")).dropped());
        assertFalse(router.sendOne(up, Fixture.frame("route_outside_to_a")).dropped(), "inbound to a published port");
        assertEquals(1, router.sent(c).size());
        assertEquals(1, router.sent(a).size());
    }

    @Test
    void trackedConnectionsPassIsolation()
    {
        build(Pipeline.compose(0, List.of(new FlagFeature(PacketBatch.FLAG_ESTABLISHED))),
            new NetworkPolicy(true, false), true);
        resolve(net0, "10.0.0.2", Frames.A_MAC, a);

        final Outcome outcome = router.sendOne(up, Fixture.frame("route_outside_to_a"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals(1, router.sent(a).size());
    }

    @Test
    void theOutsideReachesContainersOnlyThroughPublishedPorts()
    {
        build();
        resolve(net0, "10.0.0.2", Frames.A_MAC, a);

        final Outcome outcome = router.sendOne(up, Fixture.frame("route_outside_to_a"));

        assertEquals("ip4-isolation.unsolicited-inbound", outcome.dropReason());
        assertEquals(0, sentTotal());
    }

    @Test
    void anInternalNetworkCannotReachTheUplinkNorBeReachedFromIt()
    {
        build(Pipeline.compose(0, List.of(new FlagFeature(PacketBatch.FLAG_PUBLISHED))),
            new NetworkPolicy(true, true), true);
        resolve(uplink, "192.168.100.1", ROUTER_MAC, up);
        resolve(net0, "10.0.0.2", Frames.A_MAC, a);

        assertEquals("ip4-isolation.internal-network", router.sendOne(a, Fixture.frame("route_a_to_outside")).dropReason());
        assertEquals("ip4-isolation.internal-network", router.sendOne(up, Fixture.frame("route_outside_to_a")).dropReason(),
            "not even through a published port");
        assertEquals(2, router.counter("ip4-isolation.internal-network"));
        assertEquals(0, sentTotal());
    }

    @Test
    void aContainerReachesTheOutsideThroughTheUplinkRouter()
    {
        build();
        resolve(uplink, "192.168.100.1", ROUTER_MAC, up);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_outside"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertFrame("route_a_to_outside_expected", router.sent(up).get(0));
    }

    @Test
    void withoutAnUplinkTheOutsideIsNetUnreachable()
    {
        build(Pipeline.standard(), NetworkPolicy.DEFAULT, false);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_outside"));

        assertEquals("icmp-error", outcome.path().get(outcome.path().size() - 2));
        assertEquals(1, router.counter("ip4-lookup.no-route"));
        assertFrame("route_a_to_outside_unreachable", router.sent(a).get(0));
    }

    @Test
    void iccFalseDropsContainerToContainerUnicastButTheGatewayStillAnswers()
    {
        build(Pipeline.standard(), new NetworkPolicy(false, false), true);
        router.fdb(net0).learn(Frames.B_MAC, 0, b, router.context().nowMs, 1024);

        final Outcome l2 = router.sendOne(a, Fixture.frame("udp_a_to_b"));
        assertEquals("l2-forward.icc-denied", l2.dropReason());

        final Outcome flood = router.sendOne(a, Fixture.frame("arp_request_gateway"));
        assertFalse(flood.dropped());
        assertEquals(1, router.counter("l2-flood.icc-denied"));
        assertEquals(0, router.sent(b).size(), "no other container hears the broadcast");
        assertEquals(1, router.sent(a).size(), "the gateway answered the ARP request");

        resolve(net0, "10.0.0.3", Frames.B_MAC, b);
        final Outcome l3 = router.sendOne(a, Fixture.frame("route_a_to_b_hairpin"));
        assertEquals("ip4-isolation.icc-denied", l3.dropReason());
        assertEquals(0, router.sent(b).size());
    }

    @Test
    void withIccAPacketRoutedBackIntoItsOwnNetworkIsForwarded()
    {
        build();
        resolve(net0, "10.0.0.3", Frames.B_MAC, b);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_b_hairpin"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals(1, router.sent(b).size());
        assertEquals(Frames.B_MAC, Frames.macAt(router.sent(b).get(0), 0));
    }

    @Test
    void aDirectedBroadcastIsNotForwarded()
    {
        build();
        router.connect(net0, net1);

        assertEquals("ip4-lookup.bad-destination", router.sendOne(a, Fixture.frame("route_a_to_net1_broadcast")).dropReason());
    }

    @Test
    void ttlExpiryIsAnsweredWithTimeExceededFromTheIngressGateway()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_c_ttl1"));

        assertEquals("ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-isolation > ip4-forward > icmp-error > interface-output",
            outcome.pathText());
        assertEquals(1, router.counter("ip4-forward.ttl-expired"));
        assertEquals(1, router.counter("icmp-error.sent"));
        assertEquals(0, router.sent(c).size());
        assertFrame("route_a_to_c_ttl1_expected_error", router.sent(a).get(0));
    }

    @Test
    void noErrorAboutAnErrorNorAboutANonFirstFragment()
    {
        build();
        router.connect(net0, net1);

        assertEquals("icmp-error.about-icmp-error", router.sendOne(a, Fixture.frame("route_icmp_error_ttl1")).dropReason());
        assertEquals("icmp-error.non-first-fragment", router.sendOne(a, Fixture.frame("route_fragment_ttl1")).dropReason());
        assertEquals(0, sentTotal());
    }

    @Test
    void aTooBigPacketWithDfGetsFragmentationNeededWithTheEgressMtu()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);

        final Outcome outcome = router.sendOne(a, Fixture.frame("route_a_to_c_1500_df"));

        // decided by ip4-forward, before the postrouting arc (NAT) could translate the source the error goes back to
        assertEquals("ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-isolation > ip4-forward > icmp-error > interface-output",
            outcome.pathText());
        assertEquals(1, router.counter("ip4-forward.fragmentation-needed"));
        assertEquals(0, router.sent(c).size());
        assertFrame("route_a_to_c_1500_df_expected_error", router.sent(a).get(0));
        assertEquals(14 + 576, router.sent(a).get(0).length, "the error stays within 576 IP bytes");

        final Outcome noDf = router.sendOne(a, Fixture.frame("route_a_to_c_1500"));
        assertEquals("ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-isolation > ip4-forward > error-drop", noDf.pathText());
        assertEquals("ip4-forward.fragmentation-unsupported", noDf.dropReason());
        assertEquals(0, router.counter("ip4-rewrite.port-mtu-exceeded"));
    }

    @Test
    void theMtuIsTheEgressNetworksSmallestEvenForAHostBehindALargerPortOrUnresolved()
    {
        build();
        router.connect(net0, net1);

        // unresolved: no ARP for a packet that could not be forwarded anyway
        final Outcome unresolved = router.sendOne(a, Fixture.frame("route_a_to_c_1500_df"));
        assertEquals("ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-isolation > ip4-forward > icmp-error > interface-output",
            unresolved.pathText());
        assertFrame("route_a_to_c_1500_df_expected_error", router.sent(a).get(0));

        // behind c2 (MTU 1500): net1's MTU is still c's 1400
        resolve(net1, "10.0.1.2", C_MAC, c2);
        router.sendOne(a, Fixture.frame("route_a_to_c_1500_df"));
        assertEquals(2, router.counter("ip4-forward.fragmentation-needed"));
        assertEquals(2, router.sent(a).size());
        final byte[] want = Fixture.frame("route_a_to_c_1500_df_expected_error");
        final byte[] second = router.sent(a).get(1);
        // the same error but for the IP identification (one more) and so the header checksum
        assertArrayEquals(java.util.Arrays.copyOfRange(want, 34, want.length), java.util.Arrays.copyOfRange(second, 34, second.length));
        assertEquals(1400, Frames.u16(second, 34 + 6), "next-hop MTU");
        assertEquals(0, router.sent(c2).size());
        assertEquals(0, router.counter("ip4-arp.neighbour-miss"));
    }

    @Test
    void udpToTheGatewayIsPortUnreachable()
    {
        build();

        final Outcome outcome = router.sendOne(a, Fixture.frame("ip_udp_to_gateway"));

        assertEquals("ip4-local", outcome.path().get(5));
        assertEquals(1, router.counter("ip4-local.port-unreachable"));
        assertFrame("route_udp_gateway_expected_error", router.sent(a).get(0));
    }

    @Test
    void theUplinkAddressAnswersPingFromOutsideAndFromContainers()
    {
        build();

        router.sendOne(up, Fixture.frame("ping_uplink_from_outside"));
        router.sendOne(a, Fixture.frame("ping_uplink_from_a"));
        router.sendOne(a, Fixture.frame("ping_net1_gateway_from_a"));

        assertFrame("ping_uplink_from_outside_expected_reply", router.sent(up).get(0));
        assertFrame("ping_uplink_from_a_expected_reply", router.sent(a).get(0));
        assertEquals(Fixture.ipv4Value("10.0.1.1"), ipAt(router.sent(a).get(1), 26), "the reply comes from the address pinged");
        assertEquals(3, router.counter("icmp-echo.replied"));
    }

    @Test
    void aSynToAGatewayPortIsRefusedWithAResetThatAcknowledgesIt(@TempDir final Path directory)
    {
        build();

        final Outcome outcome = router.sendOne(a, Fixture.frame("tcp_syn_to_gateway"));

        assertEquals(RESET_PATH, outcome.pathText());
        assertEquals(1, router.sent(a).size());
        assertFrame("tcp_syn_to_gateway_expected_reset", router.sent(a).get(0));
        assertEquals(1, sentTotal());
        assertEquals(1, router.counter("tcp-reset.reset-sent"));
        assertEquals(0, router.counter("ip4-local.protocol-unsupported-by-gateway"));

        Tshark.require();
        assertEquals(List.of(List.of("02:42:0a:00:00:02", "02:42:0a:00:00:01", "10.0.0.1", "10.0.0.2", "20", "64", "1", "0x0000", "1",
                "20", "22", "45678", "0", "287454021", "1", "1", "0", "0", "0", "1", "")),
            resetFields(directory, router.sent(a)));
    }

    @Test
    void aSegmentWithAckIsResetAtTheSequenceItAcknowledged()
    {
        build();

        final Outcome outcome = router.sendOne(a, Fixture.frame("tcp_ack_data_to_gateway"));

        assertEquals(RESET_PATH, outcome.pathText());
        assertFrame("tcp_ack_data_to_gateway_expected_reset", router.sent(a).get(0));
        assertEquals(0xA0B0C0D0L, u32(router.sent(a).get(0), 34 + 4), "seq = the segment's ack");
        assertEquals(0, Frames.u16(router.sent(a).get(0), 34 + 12) & TcpFlyweight.ACK, "no ACK");
    }

    @Test
    void synAndFinEachTakeASequenceNumberAndTheAcknowledgmentWraps()
    {
        build();

        router.sendOne(a, Fixture.frame("tcp_syn_fin_data_to_gateway"));

        assertFrame("tcp_syn_fin_data_to_gateway_expected_reset", router.sent(a).get(0));
        assertEquals(5, u32(router.sent(a).get(0), 34 + 8), "0xFFFFFFFE + 5 payload + SYN + FIN");
    }

    @Test
    void ipAndTcpOptionsLeaveNoTraceInTheReset(@TempDir final Path directory)
    {
        build();

        final Outcome outcome = router.sendOne(a, Fixture.frame("tcp_syn_options_to_gateway"));

        assertEquals(RESET_PATH, outcome.pathText());
        assertEquals(14 + 40, router.sent(a).get(0).length);
        assertFrame("tcp_syn_options_to_gateway_expected_reset", router.sent(a).get(0));

        Tshark.require();
        final List<String> row = resetFields(directory, router.sent(a)).get(0);
        assertEquals(List.of("20", "64", "1", "0x0000", "1", "20", "443", "45678", "0", "1432778633"), row.subList(4, 14));
    }

    @Test
    void aSynInAVlanIsRefusedInThatVlan()
    {
        build();
        final int trunk = router.trunkPort(net0, 10);

        final Outcome outcome = router.sendOne(trunk, Fixture.frame("tcp_syn_vlan10_to_gateway"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertFrame("tcp_syn_vlan10_to_gateway_expected_reset", router.sent(trunk).get(0));
    }

    @Test
    void theUplinkAddressRefusesAnUnpublishedPortWithAResetFromItself(@TempDir final Path directory)
    {
        build();

        final Outcome outcome = router.sendOne(up, Fixture.frame("tcp_syn_to_uplink_from_outside"));

        assertEquals(RESET_PATH, outcome.pathText());
        assertEquals(1, sentTotal());
        assertFrame("tcp_syn_to_uplink_from_outside_expected_reset", router.sent(up).get(0));

        Tshark.require();
        assertEquals(List.of(List.of("02:00:c0:a8:64:01", "02:00:c0:a8:64:02", "192.168.100.2", "198.51.100.7", "20", "64", "1", "0x0000",
                "1", "20", "8080", "51000", "0", "195939071", "1", "1", "0", "0", "0", "1", "")),
            resetFields(directory, router.sent(up)));
    }

    @Test
    void aPartialChecksumLeftForOffloadIsTrustedAndTheResetIsComplete(@TempDir final Path directory)
    {
        build();
        final byte[] partial = Fixture.frame("tcp_syn_to_gateway_partial_checksum");
        final long offload = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_NONE, 0, 34, TcpFlyweight.CHECKSUM_OFFSET);

        assertEquals("tcp-reset.bad-checksum", router.sendOne(a, partial).dropReason(), "without the offload it is just wrong");
        final Outcome outcome = router.sendOne(a, partial, offload);

        assertEquals(RESET_PATH, outcome.pathText());
        assertFrame("tcp_syn_to_gateway_expected_reset", router.sent(a).get(0));
        Tshark.require();
        assertEquals("1", resetFields(directory, router.sent(a)).get(0).get(19), "tcp.checksum.status: the reset's own is complete");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "tcp_rst_to_gateway, tcp-reset.reset-received",
        "tcp_syn_bad_checksum_to_gateway, tcp-reset.bad-checksum",
        "tcp_syn_from_broadcast_to_gateway, tcp-reset.bad-source",
        "tcp_truncated_to_gateway, tcp-reset.truncated",
        "tcp_data_offset_beyond_segment_to_gateway, tcp-reset.truncated"})
    void aSegmentThatMustNotBeAnsweredIsDroppedUnderItsReason(final String name, final String reason)
    {
        build();

        final Outcome outcome = router.sendOne(a, Fixture.frame(name));

        assertEquals("ethernet-input > l2-learn > l2-forward > ip4-input > ip4-lookup > ip4-local > tcp-reset > error-drop",
            outcome.pathText());
        assertEquals(reason, outcome.dropReason());
        assertEquals(1, router.counter(reason));
        assertEquals(0, router.counter("tcp-reset.reset-sent"));
        assertEquals(0, sentTotal());
    }

    /** One row per reset: Ethernet and IPv4 addresses, header lengths, TTL, DF, ID, checksum verdicts, ports, seq, ack, flags, window. */
    private static List<List<String>> resetFields(final Path directory, final List<byte[]> frames)
    {
        return Tshark.fields(directory, frames,
            "eth.dst", "eth.src", "ip.src", "ip.dst", "ip.hdr_len", "ip.ttl", "ip.flags.df", "ip.id", "ip.checksum.status",
            "tcp.hdr_len", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags.reset", "tcp.flags.ack",
            "tcp.flags.syn", "tcp.flags.fin", "tcp.window_size_value", "tcp.checksum.status", "_ws.malformed");
    }

    private static long u32(final byte[] frame, final int offset)
    {
        return ((long)Frames.u16(frame, offset) << 16) | Frames.u16(frame, offset + 2);
    }

    @Test
    void theUplinkAnswersArpForItsAddress()
    {
        build();

        router.sendOne(up, Fixture.frame("arp_request_uplink_from_router"));

        assertEquals(1, router.sent(up).size());
        assertEquals(1, router.counter("arp-input.replied"));
        assertEquals(ROUTER_MAC, router.neighbours(uplink).lookup(Fixture.ipv4Value("192.168.100.1")), "the asker is gleaned");
    }

    @Test
    void anUnknownNeighbourIsAskedForOnEveryPortOfTheEgressNetworkAndTheNextPacketGoesThrough()
    {
        build();
        router.connect(net0, net1);

        final Outcome first = router.sendOne(a, Fixture.frame("route_a_to_c"));

        assertEquals("ip4-arp.neighbour-miss", first.dropReason());
        assertEquals(1, router.sent(c).size());
        assertEquals(1, router.sent(c2).size());
        assertFrame("arp_request_for_c_expected", router.sent(c).get(0));
        assertFrame("arp_request_for_c_expected", router.sent(c2).get(0));
        assertEquals(0, router.sent(a).size() + router.sent(b).size() + router.sent(up).size());

        assertEquals("ip4-arp.resolving", router.sendOne(a, Fixture.frame("route_a_to_c")).dropReason(), "asked once a second");

        final Outcome reply = router.sendOne(c, Fixture.frame("arp_reply_c"));
        assertFalse(reply.dropped());
        router.clearSent();

        final Outcome next = router.sendOne(a, Fixture.frame("route_a_to_c"));
        assertFalse(next.dropped(), next.toString());
        assertFrame("route_a_to_c_expected", router.sent(c).get(0));
        assertEquals(0, router.sent(c2).size());
    }

    @Test
    void aNetworkWithAHostAddressAsksForNeighboursFromItSoTheAnswerComesBackToThisHost()
    {
        build();
        router.connect(net0, net1);
        router.hostAddress(net0, "10.0.0.250", 0x02420a0000faL);

        final Outcome first = router.sendOne(c, Fixture.frame("route_c_to_a"));

        assertEquals("ip4-arp.neighbour-miss", first.dropReason());
        assertFrame("arp_request_from_host_address_expected", router.sent(a).get(0));
        assertFrame("arp_request_from_host_address_expected", router.sent(b).get(0));
    }

    @Test
    void theUplinkRouterIsResolvedThroughItsArpReply()
    {
        build();

        assertEquals("ip4-arp.neighbour-miss", router.sendOne(a, Fixture.frame("route_a_to_outside")).dropReason());
        assertFrame("arp_request_for_router_expected", router.sent(up).get(0));
        router.sendOne(up, Fixture.frame("arp_reply_router"));
        router.clearSent();

        router.sendOne(a, Fixture.frame("route_a_to_outside"));

        assertFrame("route_a_to_outside_expected", router.sent(up).get(0));
    }

    @Test
    void aStaleNeighbourIsStillForwardedToAndAskedAgainByUnicastAtMostOnceASecond(@TempDir final Path directory)
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);
        final long staleAt = router.context().nowMs + NeighbourTable.REACHABLE_MS;
        router.nowMs(staleAt);

        final Outcome first = router.sendOne(a, Fixture.frame("route_a_to_c"));

        assertFalse(first.dropped(), first.toString());
        assertEquals(2, router.sent(c).size(), "the refresh request, then the packet");
        assertFrame("arp_refresh_for_c_expected", router.sent(c).get(0));
        assertFrame("route_a_to_c_expected", router.sent(c).get(1));
        assertEquals(0, router.sent(c2).size(), "unicast, out of the neighbour's port only");
        assertEquals(1, router.counter("ip4-rewrite.neighbour-refresh"));
        final List<byte[]> frames = new ArrayList<>(router.sent(c));
        router.clearSent();

        router.nowMs(staleAt + NeighbourTable.PROBE_INTERVAL_MS - 1);
        assertFalse(router.sendOne(a, Fixture.frame("route_a_to_c")).dropped());
        assertEquals(1, router.sent(c).size(), "no second request within the second");
        assertFrame("route_a_to_c_expected", router.sent(c).get(0));
        assertEquals(1, router.counter("ip4-rewrite.neighbour-refresh"));

        assertFalse(router.sendOne(c, Fixture.frame("arp_reply_c")).dropped(), "the answer");
        router.clearSent();
        router.nowMs(staleAt + NeighbourTable.PROBE_INTERVAL_MS);
        assertFalse(router.sendOne(a, Fixture.frame("route_a_to_c")).dropped());
        assertEquals(1, router.sent(c).size(), "reachable again: no request");
        assertEquals(1, router.counter("ip4-rewrite.neighbour-refresh"));

        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, frames,
            "eth.dst", "eth.src", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4",
            "ip.dst", "ip.ttl", "ip.checksum.status", "_ws.malformed", "_ws.expert.message");
        assertEquals(List.of("02:42:0a:00:01:02", "02:42:0a:00:01:01", "1", "02:42:0a:00:01:01", "10.0.1.1", "00:00:00:00:00:00",
            "10.0.1.2", "", "", "", "", ""), rows.get(0));
        assertEquals(List.of("02:42:0a:00:01:02", "02:42:0a:00:01:01", "", "", "", "", "", "10.0.1.2", "63", "1", "", ""), rows.get(1));
    }

    @Test
    void aStaleNeighbourThatNeverAnswersFailsAndIsAskedForByBroadcast()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);
        final long staleAt = router.context().nowMs + NeighbourTable.REACHABLE_MS;
        for (int n = 0; n < NeighbourTable.MAX_PROBES; n++)
        {
            router.nowMs(staleAt + n * NeighbourTable.PROBE_INTERVAL_MS);
            assertFalse(router.sendOne(a, Fixture.frame("route_a_to_c")).dropped(), "still forwarded while asking: " + n);
        }
        assertEquals(NeighbourTable.MAX_PROBES, router.counter("ip4-rewrite.neighbour-refresh"));
        router.clearSent();

        router.nowMs(staleAt + NeighbourTable.MAX_PROBES * NeighbourTable.PROBE_INTERVAL_MS);
        final Outcome failed = router.sendOne(a, Fixture.frame("route_a_to_c"));

        assertEquals("ip4-arp.neighbour-miss", failed.dropReason(), "resolved from scratch, as an unknown neighbour");
        assertFrame("arp_request_for_c_expected", router.sent(c).get(0));
        assertFrame("arp_request_for_c_expected", router.sent(c2).get(0));
        assertEquals("ip4-arp.resolving", router.sendOne(a, Fixture.frame("route_a_to_c")).dropReason());

        router.sendOne(c, Fixture.frame("arp_reply_c"));
        router.clearSent();
        assertFalse(router.sendOne(a, Fixture.frame("route_a_to_c")).dropped());
        assertFrame("route_a_to_c_expected", router.sent(c).get(0));
    }

    @Test
    void ip4ArpsDutyCycleWorkRemovesNeighboursNothingNeeds()
    {
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);
        router.nowMs(router.context().nowMs + NeighbourTable.REACHABLE_MS + NeighbourTable.GC_STALE_MS);

        router.context().snapshot = router.snapshot();
        for (int n = 0; n < router.snapshot().networkSlots(); n++) // one network's table per call
        {
            router.graph().runTasks(router.context());
        }

        assertEquals(1, router.counter("ip4-arp.neighbour-expired"));
        assertEquals(NeighbourTable.MISSING, router.neighbours(net1).lookup(Fixture.ipv4Value("10.0.1.2")));
        assertEquals("ip4-arp.neighbour-miss", router.sendOne(a, Fixture.frame("route_a_to_c")).dropReason());
    }

    @Test
    void icmpErrorsAreRateLimitedPerWorker()
    {
        build();
        router.connect(net0, net1);
        final byte[][] burst = new byte[60][];
        for (int n = 0; n < burst.length; n++)
        {
            burst[n] = Fixture.frame("route_a_to_c_ttl1");
        }

        router.send(a, burst);

        assertEquals(IcmpErrorNode.BURST_DEFAULT, router.sent(a).size());
        assertEquals(60 - IcmpErrorNode.BURST_DEFAULT, router.counter("icmp-error.rate-limited"));

        router.clearSent();
        router.nowMs(router.context().nowMs + 5); // 1000 a second: 5 more after 5 ms
        router.send(a, burst);
        assertEquals(5, router.sent(a).size());
    }

    @Test
    void tsharkFindsRoutedPacketsAndErrorsWellFormed(@TempDir final Path directory)
    {
        Tshark.require();
        build();
        router.connect(net0, net1);
        resolve(net1, "10.0.1.2", C_MAC, c);
        router.sendOne(a, Fixture.frame("route_a_to_c"));
        router.sendOne(a, Fixture.frame("route_ping_c_ttl1"));
        router.sendOne(a, Fixture.frame("route_a_to_c_1500_df"));
        router.sendOne(a, Fixture.frame("ip_udp_to_gateway"));
        final List<byte[]> frames = new ArrayList<>(router.sent(c));
        frames.addAll(router.sent(a));
        router.neighbours(net1).forget(Fixture.ipv4Value("10.0.1.2"));
        router.nowMs(router.context().nowMs + 2_000);
        router.clearSent();
        router.sendOne(a, Fixture.frame("route_a_to_c"));
        frames.add(router.sent(c).get(0));
        assertFrame("route_ping_c_ttl1_expected_error", frames.get(1));

        final List<List<String>> rows = Tshark.fields(directory, frames,
            "eth.src", "ip.src", "ip.dst", "ip.ttl", "ip.checksum.status", "icmp.type", "icmp.code", "icmp.checksum.status",
            "icmp.mtu", "udp.checksum.status", "arp.opcode", "arp.dst.proto_ipv4", "_ws.malformed", "_ws.expert.message");

        assertEquals(List.of("02:42:0a:00:01:01", "10.0.0.2", "10.0.1.2", "63", "1", "", "", "", "", "1", "", "", "", ""), rows.get(0));
        // ICMP errors: tshark dissects the quoted packet too (its fields follow the outer ones, comma-separated); the quoted
        // header's checksum verifies (1), the quoted ICMP's is left unverified (2) by tshark inside an error
        assertEquals(List.of("02:42:0a:00:00:01", "10.0.0.1,10.0.0.2", "10.0.0.2,10.0.1.2", "64,1", "1,1", "11,8", "0,0", "1,2"),
            rows.get(1).subList(0, 8));
        assertEquals(List.of("3", "4", "1", "1400"), rows.get(2).subList(5, 9));
        assertEquals(List.of("3", "3", "1"), rows.get(3).subList(5, 8));
        assertEquals(List.of("02:42:0a:00:01:01", "", "", "", "", "", "", "", "", "", "1", "10.0.1.2", "", ""), rows.get(4));
    }

    private static int ipAt(final byte[] frame, final int offset)
    {
        return (Frames.u16(frame, offset) << 16) | Frames.u16(frame, offset + 2);
    }

    @Test
    void aFeatureOnAnArcTheCoreDoesNotHaveIsRefused()
    {
        final GraphFeature misplaced = new GraphFeature()
        {
            @Override
            public String name()
            {
                return "misplaced";
            }

            @Override
            public void contribute(final int worker, final GraphComposer composer)
            {
                composer.feature("ip4-nat", new FlagNode(0));
            }
        };
        assertThrows(IllegalArgumentException.class, () -> Pipeline.compose(0, List.of(misplaced)));
    }

    /** A stand-in for connection tracking on the prerouting arc: marks every packet as conntrack would. */
    private record FlagFeature(int flags) implements GraphFeature
    {
        @Override
        public String name()
        {
            return "flag";
        }

        @Override
        public void contribute(final int worker, final GraphComposer composer)
        {
            composer.feature(FeatureArc.IP4_PREROUTING, new FlagNode(flags));
        }
    }

    private static final class FlagNode extends Node
    {
        private final int flags;

        FlagNode(final int flags)
        {
            super("flag", new String[]{FeatureArc.NEXT}, new String[0]);
            this.flags = flags;
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                batch.flags[packets[k]] |= flags;
                next(batch, packets[k], 0);
            }
        }
    }
}
