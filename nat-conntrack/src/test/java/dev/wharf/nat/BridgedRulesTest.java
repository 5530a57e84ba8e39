package dev.wharf.nat;

import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Tshark;
import dev.wharf.dataplane.worker.Pipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * l2-user-rules in the whole pipeline (the real l2-forward, tcp-reset, icmp-error), fed scapy's frames
 * between two ports of one network, A (10.0.0.2) and B (10.0.0.3): a frame the router never sees is
 * denied, rejected or let through by the user rules, and tshark judges the answers a reject sends.
 */
class BridgedRulesTest
{
    private static final long A_MAC = 0x02_42_0a_00_00_02L;
    private static final long B_MAC = 0x02_42_0a_00_00_03L;
    private static final int A = Fixture.ipv4Value("10.0.0.2");
    private static final int B = Fixture.ipv4Value("10.0.0.3");

    private final NatService service = new NatService(NatConfiguration.defaults());
    private final BridgeHarness bridge = new BridgeHarness(Pipeline.compose(0, List.of(service.feature())));
    private int portA;
    private int portB;

    @BeforeEach
    void setUp()
    {
        final int net = bridge.addDefaultNetwork();
        portA = bridge.accessPort(net, 0);
        portB = bridge.accessPort(net, 0);
        bridge.fdb(net).learn(A_MAC, 0, portA, bridge.context().nowMs, 1024);
        bridge.fdb(net).learn(B_MAC, 0, portB, bridge.context().nowMs, 1024);
    }

    @AfterEach
    void close()
    {
        bridge.close();
    }

    @Test
    void withoutRulesFramesAreBridgedUntouched()
    {
        final byte[] syn = Fixture.frame("rule_tcp_syn_a_to_b");
        final BridgeHarness.Outcome outcome = bridge.sendOne(portA, syn);

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals("ethernet-input > l2-learn > l2-user-rules > l2-forward > interface-output", outcome.pathText());
        assertArrayEquals(syn, bridge.sent(portB).get(0));
    }

    @Test
    void aDenyBetweenTwoPortsOfOneNetworkDropsWhatStartsAConnectionAndNothingElse()
    {
        service.rules(List.of(new UserRule(false, A, 32, B, 32, 0, 0, 0)));

        final BridgeHarness.Outcome syn = bridge.sendOne(portA, Fixture.frame("rule_tcp_syn_a_to_b"));
        final BridgeHarness.Outcome udp = bridge.sendOne(portA, Fixture.frame("rule_udp_a_to_b"));
        final BridgeHarness.Outcome ping = bridge.sendOne(portA, Fixture.frame("icmp_echo_host"));
        final BridgeHarness.Outcome ack = bridge.sendOne(portA, Fixture.frame("rule_tcp_ack_a_to_b"));
        final BridgeHarness.Outcome reply = bridge.sendOne(portB, Fixture.frame("rule_icmp_echo_reply_b_to_a"));

        assertEquals("l2-user-rules.denied-by-rule", syn.dropReason());
        assertEquals("l2-user-rules.denied-by-rule", udp.dropReason());
        assertEquals("l2-user-rules.denied-by-rule", ping.dropReason());
        assertFalse(ack.dropped(), "a segment of a connection set up before the rule: no SYN, not checked");
        assertFalse(reply.dropped(), "B -> A matches no rule");
        assertEquals(3, bridge.counter("l2-user-rules.denied-by-rule"));
        assertEquals(1, bridge.sent(portB).size(), "only the ACK reached B");
        assertEquals(1, bridge.sent(portA).size(), "the echo reply reached A");
    }

    @Test
    void theFirstMatchingRuleDecidesAndRulesOfOtherSubnetsCostNothing()
    {
        service.rules(List.of(
            new UserRule(true, A, 32, B, 32, 6, 80, 80),
            new UserRule(false, 0, 0, 0, 0, 0, 0, 0)));
        assertFalse(bridge.sendOne(portA, Fixture.frame("rule_tcp_syn_a_to_b")).dropped(), "the earlier allow wins");
        assertEquals("l2-user-rules.denied-by-rule", bridge.sendOne(portA, Fixture.frame("rule_udp_a_to_b")).dropReason());

        service.rules(List.of(new UserRule(false, Fixture.ipv4Value("10.20.0.0"), 16, 0, 0, 0, 0, 0)));
        assertFalse(bridge.sendOne(portA, Fixture.frame("rule_udp_a_to_b")).dropped(), "a rule about another subnet");
        service.rules(List.of());
        assertFalse(bridge.sendOne(portA, Fixture.frame("rule_udp_a_to_b")).dropped(), "rules removed");
    }

    @Test
    void aRejectedSynGetsTcpResetsResetFromTheAddressItWasSentTo(@TempDir final Path directory)
    {
        service.rules(List.of(new UserRule(false, A, 32, B, 32, 6, 80, 80, true)));

        final BridgeHarness.Outcome outcome = bridge.sendOne(portA, Fixture.frame("rule_tcp_syn_a_to_b"));

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals("ethernet-input > l2-learn > l2-user-rules > tcp-reset > interface-output", outcome.pathText());
        assertEquals(0, bridge.sent(portB).size(), "B never sees the SYN");
        assertEquals(1, bridge.counter("l2-user-rules.rejected-by-rule"));
        assertEquals(1, bridge.counter("tcp-reset.reset-sent"));
        final byte[] reset = bridge.sent(portA).get(0);
        assertEquals(A_MAC, mac(reset, 0), "back to A");
        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, List.of(reset),
            "ip.src", "ip.dst", "ip.checksum.status", "tcp.srcport", "tcp.dstport", "tcp.flags.reset", "tcp.flags.ack", "tcp.ack_raw",
            "tcp.checksum.status", "_ws.malformed");
        assertEquals(List.of("10.0.0.3", "10.0.0.2", "1", "80", "40001", "1", "1", "1001", "1", ""), rows.get(0));
    }

    @Test
    void aRejectedPingGetsAnAdministrativelyProhibitedAndUdpAPortUnreachable(@TempDir final Path directory)
    {
        service.rules(List.of(new UserRule(false, 0, 0, B, 32, 0, 0, 0, true)));
        final byte[] ping = Fixture.frame("icmp_echo_host");
        final byte[] udp = Fixture.frame("rule_udp_a_to_b");

        final BridgeHarness.Outcome pinged = bridge.sendOne(portA, ping);
        final BridgeHarness.Outcome sent = bridge.sendOne(portA, udp);

        assertEquals("ethernet-input > l2-learn > l2-user-rules > icmp-error > interface-output", pinged.pathText());
        assertFalse(sent.dropped(), sent.toString());
        assertEquals(0, bridge.sent(portB).size());
        assertEquals(2, bridge.counter("l2-user-rules.rejected-by-rule"));
        assertEquals(2, bridge.counter("icmp-error.sent"));
        final List<byte[]> errors = bridge.sent(portA);
        assertEquals(2, errors.size());
        // each error quotes the offending datagram as A sent it
        assertArrayEquals(Arrays.copyOfRange(ping, 14, 14 + 28), Arrays.copyOfRange(errors.get(0), 42, 42 + 28));
        assertArrayEquals(Arrays.copyOfRange(udp, 14, 14 + 28), Arrays.copyOfRange(errors.get(1), 42, 42 + 28));
        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, errors,
            "ip.src", "ip.dst", "ip.checksum.status", "icmp.type", "icmp.code", "icmp.checksum.status", "_ws.malformed");
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "1", "3", "13", "1", ""), rows.get(0).subList(0, 7).stream()
            .map(BridgedRulesTest::first).toList(), "from the gateway: administratively prohibited");
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "1", "3", "3", "1", ""), rows.get(1).subList(0, 7).stream()
            .map(BridgedRulesTest::first).toList(), "port unreachable, what a closed UDP port answers");
        assertTrue(bridge.counter("l2-user-rules.denied-by-rule") == 0);
    }

    /** tshark lists a field of the outer and the quoted header comma-separated: the outer one. */
    private static String first(final String value)
    {
        final int comma = value.indexOf(',');
        return comma < 0 ? value : value.substring(0, comma);
    }

    private static long mac(final byte[] frame, final int offset)
    {
        long mac = 0;
        for (int b = 0; b < 6; b++)
        {
            mac = mac << 8 | (frame[offset + b] & 0xFF);
        }
        return mac;
    }
}
