package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.wharf.nat.NatHarness.BACK;
import static dev.wharf.nat.NatHarness.C1;
import static dev.wharf.nat.NatHarness.C2;
import static dev.wharf.nat.NatHarness.FRONT;
import static dev.wharf.nat.NatHarness.FRONT_GW;
import static dev.wharf.nat.NatHarness.S;
import static dev.wharf.nat.NatHarness.UPLINK;
import static dev.wharf.nat.NatHarness.UPLINK_IP;
import static dev.wharf.nat.NatHarness.X;
import static dev.wharf.nat.NatHarness.u16;
import static dev.wharf.nat.NatHarness.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ip4-nat-in and ip4-nat-out fed scapy's frames (src/test/scapy/make_fixtures.py); what leaves is
 * judged by tshark with every checksum verified, and by the bytes where a field matters.
 */
class NatNodesTest
{
    private static final int SRC = 26;
    private static final int DST = 30;
    private static final int SPORT = 34;
    private static final int DPORT = 36;
    private static final String[] CHECKED = {"ip.src", "ip.dst", "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status",
        "icmp.checksum.status", "_ws.malformed"};

    private final NatHarness nat = new NatHarness(NatConfiguration.defaults());

    private static byte[] frame(final String name)
    {
        return Fixture.frame("nat_" + name);
    }

    /** tshark finds every frame well formed, every checksum it can verify good (1), none bad. */
    private static void assertChecksumsGood(final Path directory, final List<byte[]> frames)
    {
        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, frames, CHECKED);
        for (final List<String> row : rows)
        {
            for (int c = 2; c < 6; c++)
            {
                for (final String status : row.get(c).split(","))
                {
                    assertTrue(status.isEmpty() || status.equals("1"), CHECKED[c] + " not good in " + row);
                }
            }
            // port 53 and 5353 carry made-up payloads, which the DNS dissectors call malformed
            assertTrue(row.get(6).isEmpty() || row.get(6).contains("DNS"), "malformed: " + row);
        }
    }

    @Test
    void tcpIsMasqueradedAndItsRepliesDeTranslated(@TempDir final Path directory)
    {
        final NatHarness.Result syn = nat.send(FRONT, frame("tcp_syn_c1"));
        final NatHarness.Result synAck = nat.send(UPLINK, frame("tcp_synack_s"));
        final NatHarness.Result ack = nat.send(FRONT, frame("tcp_ack_c1"));

        assertEquals(UPLINK_IP, u32(syn.frame(), SRC));
        assertEquals(40000, u16(syn.frame(), SPORT), "the original port is kept when free");
        assertEquals(S, u32(syn.frame(), DST));
        assertEquals(S, u32(synAck.frame(), SRC));
        assertEquals(C1, u32(synAck.frame(), DST));
        assertEquals(40000, u16(synAck.frame(), DPORT));
        assertTrue((synAck.flags() & PacketBatch.FLAG_ESTABLISHED) != 0);
        assertEquals(UPLINK_IP, u32(ack.frame(), SRC));
        assertEquals(1, nat.service.count());
        assertEquals("ESTABLISHED", nat.service.list(10).get(0).state());
        assertTrue(nat.service.list(10).get(0).assured());
        assertChecksumsGood(directory, List.of(syn.frame(), synAck.frame(), ack.frame()));
    }

    @Test
    void udpAndIcmpEchoAreMasqueradedAndRepliesComeBack(@TempDir final Path directory)
    {
        final NatHarness.Result udp = nat.send(FRONT, frame("udp_c1"));
        final NatHarness.Result udpReply = nat.send(UPLINK, frame("udp_reply_s"));
        final NatHarness.Result echo = nat.send(FRONT, frame("icmp_echo_c1"));
        final NatHarness.Result echoReply = nat.send(UPLINK, frame("icmp_echo_reply_s"));
        final NatHarness.Result noChecksum = nat.send(FRONT, frame("udp_nocsum_c1"));

        assertEquals(UPLINK_IP, u32(udp.frame(), SRC));
        assertEquals(C1, u32(udpReply.frame(), DST));
        assertEquals(5353, u16(udpReply.frame(), DPORT));
        assertEquals(UPLINK_IP, u32(echo.frame(), SRC));
        assertEquals(0x1234, u16(echo.frame(), 38), "identifier kept when free");
        assertEquals(C1, u32(echoReply.frame(), DST));
        assertEquals(UPLINK_IP, u32(noChecksum.frame(), SRC));
        assertEquals(0, u16(noChecksum.frame(), 40), "a UDP checksum of 0 (none) stays 0");
        assertEquals(3, nat.service.count());
        assertChecksumsGood(directory, List.of(udp.frame(), udpReply.frame(), echo.frame(), echoReply.frame()));
    }

    @Test
    void aClashingReplyTupleGetsAnotherPortAndNoTwoFlowsShareOne(@TempDir final Path directory)
    {
        final NatHarness.Result first = nat.send(FRONT, frame("udp_c1"));
        final NatHarness.Result second = nat.send(FRONT, frame("udp_c2"));

        assertEquals(5353, u16(first.frame(), SPORT));
        final int port = u16(second.frame(), SPORT);
        assertNotEquals(5353, port);
        assertTrue(port >= 1024, "probed within the range: " + port);
        final Set<String> replies = new HashSet<>();
        for (final FlowView flow : nat.service.list(10))
        {
            assertTrue(replies.add(flow.replySource() + ":" + flow.replySourcePort() + ">" + flow.replyDestination() + ":" +
                flow.replyDestinationPort()), "unique reply tuple");
        }
        assertEquals(2, replies.size());
        assertChecksumsGood(directory, List.of(first.frame(), second.frame()));
    }

    @Test
    void portExhaustionWithATinyRangeIsCountedAndRecorded()
    {
        final NatHarness tiny = new NatHarness(new NatConfiguration(1024, 20_000, 20_001));
        final byte[] udp = frame("udp_c1");

        assertFalse(tiny.send(FRONT, NatHarness.withSourcePort(udp, 1000)).dropped());
        assertFalse(tiny.send(FRONT, NatHarness.withSourcePort(udp, 1001)).dropped());
        final NatHarness.Result third = tiny.send(FRONT, NatHarness.withSourcePort(udp, 1002));

        assertEquals("ip4-nat-out.nat-ports-exhausted", third.dropReason());
        assertEquals(1, tiny.counter("ip4-nat-out.nat-ports-exhausted"));
        assertEquals(2, tiny.service.count());
        final NatFailure failure = tiny.service.recentFailures().get(0);
        assertEquals("nat-ports-exhausted", failure.reason());
        assertEquals(C1, failure.source());
        assertEquals(1002, failure.sourcePort());
    }

    @Test
    void aPublishedPortIsTranslatedAndItsRepliesComeFromTheHostAddress(@TempDir final Path directory)
    {
        nat.service.publishedPorts(List.of(new PublishedPort(0, 8080, 6, FRONT, C1, 80)));

        final NatHarness.Result syn = nat.send(UPLINK, frame("tcp_syn_x_published"));
        final NatHarness.Result synAck = nat.send(FRONT, frame("tcp_synack_c1_to_x"));
        final NatHarness.Result unpublished = nat.send(UPLINK, frame("tcp_syn_x_unpublished"));

        assertEquals(C1, u32(syn.frame(), DST));
        assertEquals(80, u16(syn.frame(), DPORT));
        assertEquals(X, u32(syn.frame(), SRC), "no source translation into a container network");
        assertTrue((syn.flags() & PacketBatch.FLAG_PUBLISHED) != 0);
        assertEquals(UPLINK_IP, u32(synAck.frame(), SRC));
        assertEquals(8080, u16(synAck.frame(), SPORT));
        assertEquals(X, u32(synAck.frame(), DST));
        assertEquals(0, unpublished.flags() & (PacketBatch.FLAG_PUBLISHED | PacketBatch.FLAG_ESTABLISHED), "to us, untracked");
        assertEquals(1, nat.service.count());
        assertEquals(1, nat.counter("ip4-nat-in.dnat"));
        assertChecksumsGood(directory, List.of(syn.frame(), synAck.frame()));
    }

    @Test
    void intoANetworkWithAHostAddressAPublishedConnectionLeavesFromThatAddressSoAnotherHostsBackendAnswersHere(
        @TempDir final Path directory)
    {
        final int hostAddress = Fixture.ipv4Value("172.18.0.250");
        nat.hostAddress(FRONT, hostAddress);
        nat.service.publishedPorts(List.of(new PublishedPort(0, 8080, 6, FRONT, C1, 80)));

        final NatHarness.Result syn = nat.send(UPLINK, frame("tcp_syn_x_published"));
        final NatHarness.Result synAck = nat.send(FRONT, frame("tcp_synack_c1_to_host_address"));

        assertEquals(C1, u32(syn.frame(), DST));
        assertEquals(hostAddress, u32(syn.frame(), SRC), "not the client's address, which the backend's own host would route");
        assertEquals(50000, u16(syn.frame(), SPORT));
        assertEquals(UPLINK_IP, u32(synAck.frame(), SRC));
        assertEquals(8080, u16(synAck.frame(), SPORT));
        assertEquals(X, u32(synAck.frame(), DST));
        assertEquals(50000, u16(synAck.frame(), DPORT));
        assertChecksumsGood(directory, List.of(syn.frame(), synAck.frame()));
    }

    @Test
    void hairpinTranslatesBothWaysThroughTheGateway(@TempDir final Path directory)
    {
        nat.service.publishedPorts(List.of(new PublishedPort(0, 8080, 6, FRONT, C1, 80)));

        final NatHarness.Result syn = nat.send(FRONT, frame("tcp_syn_c2_hairpin"));
        final NatHarness.Result synAck = nat.send(FRONT, frame("tcp_synack_c1_hairpin"));

        assertEquals(C1, u32(syn.frame(), DST));
        assertEquals(FRONT_GW, u32(syn.frame(), SRC), "the reply must come back through the gateway");
        assertEquals(41000, u16(syn.frame(), SPORT));
        assertEquals(UPLINK_IP, u32(synAck.frame(), SRC));
        assertEquals(8080, u16(synAck.frame(), SPORT));
        assertEquals(C2, u32(synAck.frame(), DST));
        assertEquals(41000, u16(synAck.frame(), DPORT));
        assertChecksumsGood(directory, List.of(syn.frame(), synAck.frame()));
    }

    @Test
    void anIcmpErrorAboutAMasqueradedFlowIsTranslatedBackWithValidChecksums(@TempDir final Path directory)
    {
        nat.send(FRONT, frame("udp_c1"));

        final NatHarness.Result unreachable = nat.send(UPLINK, frame("icmp_port_unreachable_s"));
        final NatHarness.Result timeExceeded = nat.send(UPLINK, frame("icmp_time_exceeded_router"));
        final NatHarness.Result unknown = nat.send(UPLINK, frame("icmp_port_unreachable_unknown"));

        assertEquals(S, u32(unreachable.frame(), SRC));
        assertEquals(C1, u32(unreachable.frame(), DST));
        assertEquals(C1, u32(unreachable.frame(), 42 + 12), "quoted source");
        assertEquals(5353, u16(unreachable.frame(), 62), "quoted source port");
        assertTrue((unreachable.flags() & PacketBatch.FLAG_ESTABLISHED) != 0);
        assertEquals(Fixture.ipv4Value("198.51.100.1"), u32(timeExceeded.frame(), SRC), "a router keeps its address");
        assertEquals(C1, u32(timeExceeded.frame(), DST));
        assertEquals("ip4-nat-in.icmp-error-unmatched", unknown.dropReason());
        assertEquals(2, nat.counter("ip4-nat-in.related"));

        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, List.of(unreachable.frame(), timeExceeded.frame()),
            "ip.src", "ip.dst", "ip.checksum.status", "udp.srcport", "udp.checksum.status", "icmp.checksum.status");
        assertEquals(List.of("198.51.100.7,172.18.0.2", "172.18.0.2,198.51.100.7", "1,1", "5353", "1", "1"), rows.get(0));
        assertEquals(List.of("198.51.100.1,172.18.0.2", "172.18.0.2,198.51.100.7", "1,1", "5353", "1", "1"), rows.get(1));
    }

    @Test
    void aPartialChecksumGetsOnlyTheAddressChangeAndCompletesValid(@TempDir final Path directory)
    {
        final byte[] partial = frame("tcp_partial_c1");
        final long offload = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, 0, 0, 34, 16);

        final byte[] out = nat.send(FRONT, partial, offload).frame();

        final int tcpLength = out.length - 34;
        long pseudo = (UPLINK_IP >>> 16) + (UPLINK_IP & 0xFFFF) + (S >>> 16) + (S & 0xFFFF) + 6 + tcpLength;
        pseudo = fold(pseudo);
        assertEquals(pseudo, u16(out, 34 + 16), "the field holds the new pseudo-header sum, not complemented");
        // what the NIC does later: sum the segment from csum_start with the field as it is, store the complement
        long sum = 0;
        for (int b = 34; b < out.length; b += 2)
        {
            sum += ((out[b] & 0xFF) << 8) | (b + 1 < out.length ? out[b + 1] & 0xFF : 0);
        }
        final int complete = ~(int)fold(sum) & 0xFFFF;
        out[50] = (byte)(complete >>> 8);
        out[51] = (byte)complete;
        assertChecksumsGood(directory, List.of(out));
    }

    private static long fold(final long value)
    {
        long s = value;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }

    @Test
    void userRulesDecideInOrderAndDeniedConnectionsAreCounted()
    {
        nat.service.rules(List.of(
            new UserRule(true, C1, 32, S, 32, 6, 22, 22),
            new UserRule(false, 0, 0, 0, 0, 6, 22, 22)));
        assertFalse(nat.send(FRONT, frame("tcp_syn_c1_ssh")).dropped(), "the earlier allow wins");
        nat.service.flush();

        nat.service.rules(List.of(
            new UserRule(false, 0, 0, S, 32, 6, 22, 22),
            new UserRule(true, C1, 32, 0, 0, 0, 0, 0)));
        final NatHarness.Result ssh = nat.send(FRONT, frame("tcp_syn_c1_ssh"));
        final NatHarness.Result web = nat.send(FRONT, frame("tcp_syn_c1"));

        assertEquals("ip4-user-rules.denied-by-rule", ssh.dropReason());
        assertFalse(web.dropped());
        assertEquals(1, nat.counter("ip4-user-rules.denied-by-rule"));
        assertEquals("denied-by-rule", nat.service.recentFailures().get(0).reason());
        assertEquals(22, nat.service.recentFailures().get(0).destinationPort());
    }

    @Test
    void aRejectRuleSendsTcpToTcpResetAndTheRestToIcmpErrorAndCreatesNoFlow()
    {
        nat.service.rules(List.of(new UserRule(false, C1, 32, 0, 0, 0, 0, 0, true)));

        final NatHarness.Result tcp = nat.send(FRONT, frame("tcp_syn_c1"));
        assertEquals(NatHarness.TO_TCP_RESET, tcp.dropReason(), "a reset from the address C1 connected to");
        final NatHarness.Result udp = nat.send(FRONT, frame("udp_c1"));
        assertEquals(NatHarness.TO_ICMP_ERROR, udp.dropReason());
        assertEquals(UserRulesNode.PORT_UNREACHABLE, nat.batch.icmpError[0], "UDP: what a closed port answers");
        assertEquals(2, nat.counter("ip4-user-rules.rejected-by-rule"));
        assertEquals(0, nat.counter("ip4-user-rules.denied-by-rule"));
        assertEquals(0, nat.service.table().size(), "a rejected connection is never tracked");
        assertEquals("rejected-by-rule", nat.service.recentFailures().get(0).reason());

        // to a published port the segment's destination is already the container's: a reset from there would
        // match no socket of the client, so it gets the ICMP error, which quotes the address it sent to
        nat.service.publishedPorts(List.of(new PublishedPort(0, 8080, 6, FRONT, C1, 80)));
        nat.service.rules(List.of(new UserRule(false, 0, 0, UPLINK_IP, 32, 6, 8080, 8080, true)));
        final NatHarness.Result published = nat.send(UPLINK, frame("tcp_syn_x_published"));
        assertEquals(NatHarness.TO_ICMP_ERROR, published.dropReason());
        assertEquals(UserRulesNode.ADMIN_PROHIBITED, nat.batch.icmpError[0]);
        assertTrue((published.flags() & dev.wharf.dataplane.buffer.PacketBatch.FLAG_DESTINATION_REWRITTEN) != 0);
    }

    @Test
    void routedFlowsWithoutNatAreTrackedAndStraySegmentsDropped()
    {
        final NatHarness.Result routed = nat.send(FRONT, frame("tcp_syn_c1_to_back"));
        final NatHarness.Result stray = nat.send(UPLINK, frame("tcp_synack_stray"));

        assertEquals(C1, u32(routed.frame(), SRC), "the back network does not masquerade and is not the uplink");
        assertEquals(1, nat.service.count());
        assertEquals(BACK, nat.service.list(1).get(0).replyZone());
        assertEquals("ip4-nat-in.tcp-invalid", stray.dropReason());
    }

    @Test
    void twoPacketsOfOneNewFlowInOneBatchMakeOneFlow()
    {
        final List<NatHarness.Result> results = nat.sendAll(FRONT, List.of(frame("udp_c1"), frame("udp_c1")), 0);

        assertEquals(1, nat.service.count());
        assertEquals(UPLINK_IP, u32(results.get(1).frame(), SRC));
    }

    @Test
    void aFullTableEarlyDropsAnUnassuredFlowButNeverAnAssuredOne()
    {
        final NatHarness small = new NatHarness(new NatConfiguration(2, 1024, 65535));
        final byte[] udp = frame("udp_c1");
        final byte[] reply = frame("udp_reply_s");
        assured(small, udp, reply, 30001);
        small.send(FRONT, NatHarness.withSourcePort(udp, 30002)); // unassured

        assertFalse(small.send(FRONT, NatHarness.withSourcePort(udp, 30003)).dropped(), "room made by early drop");
        assertEquals(1, small.counter("ip4-nat-out.early-drop"));
        assured(small, udp, reply, 30003);
        final NatHarness.Result refused = small.send(FRONT, NatHarness.withSourcePort(udp, 30004));

        assertEquals("ip4-nat-out.table-full", refused.dropReason());
        assertEquals(1, small.counter("ip4-nat-out.table-full"));
        assertEquals("table-full", small.service.recentFailures().get(0).reason());
        final Set<Integer> ports = new HashSet<>();
        for (final FlowView flow : small.service.list(10))
        {
            assertTrue(flow.assured());
            ports.add(flow.originalSourcePort());
        }
        assertEquals(Set.of(30001, 30003), ports);
    }

    private static void assured(final NatHarness harness, final byte[] udp, final byte[] reply, final int port)
    {
        harness.send(FRONT, NatHarness.withSourcePort(udp, port));
        final byte[] back = reply.clone();
        back[36] = (byte)(port >>> 8);
        back[37] = (byte)port;
        assertFalse(harness.send(UPLINK, back).dropped());
        harness.send(FRONT, NatHarness.withSourcePort(udp, port));
    }

    @Test
    void tcpStatesProgressAndTheFlowExpiresAfterTimeWait()
    {
        final List<String> states = new ArrayList<>();
        final String[][] steps = {{"tcp_syn_c1", "f"}, {"tcp_synack_s", "u"}, {"tcp_ack_c1", "f"}, {"tcp_fin_c1", "f"},
            {"tcp_ack_s", "u"}, {"tcp_fin_s", "u"}, {"tcp_last_ack_c1", "f"}};
        for (final String[] step : steps)
        {
            assertFalse(nat.send(step[1].equals("f") ? FRONT : UPLINK, frame(step[0])).dropped(), step[0]);
            states.add(nat.service.list(1).get(0).state());
        }
        assertEquals(List.of("SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT"), states);

        final long now = nat.context.nowMs;
        assertEquals(0, nat.service.expire(now + Timeouts.TCP_TIME_WAIT.millis() - 1));
        assertEquals(1, nat.service.count());
        // a second later the slice covers the whole table again
        assertEquals(1, nat.service.expire(now + Timeouts.TCP_TIME_WAIT.millis() + NatService.FULL_SWEEP_MS));
        assertEquals(0, nat.service.count());
    }

    @Test
    void udpTimeoutsFollowTheReplyAndFlushEmptiesTheTable()
    {
        nat.send(FRONT, frame("udp_c1"));
        final long now = nat.context.nowMs;
        nat.service.expire(now);
        assertEquals(Timeouts.UDP_UNREPLIED.millis(), nat.service.list(1, now).get(0).expiresInMs());
        nat.context.nowMs += 5_000;
        nat.send(UPLINK, frame("udp_reply_s"));

        assertEquals(0, nat.service.expire(now + Timeouts.UDP_UNREPLIED.millis() + 1), "the reply moved the expiry out");
        assertEquals(1, nat.service.flush());
        assertEquals(0, nat.service.count());
    }

    @Test
    void aFragmentWhoseFirstFragmentWasNotSeenIsDroppedAndCounted()
    {
        final byte[] fragment = frame("udp_c1");
        fragment[20] = 0x00;
        fragment[21] = 0x10; // fragment offset 16 (x 8 bytes); the header checksum does not matter to conntrack

        // no first fragment of this datagram went through, so nothing says which flow it is (NatFragmentTest: the rest)
        assertEquals("ip4-nat-in.non-first-fragment", nat.send(FRONT, fragment).dropReason());
        assertEquals(1, nat.counter("ip4-nat-in.non-first-fragment"));
    }
}
