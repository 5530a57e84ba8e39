package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.wharf.nat.NatHarness.C1;
import static dev.wharf.nat.NatHarness.FRONT;
import static dev.wharf.nat.NatHarness.BACK;
import static dev.wharf.nat.NatHarness.TO_ICMP_ERROR;
import static dev.wharf.nat.NatHarness.TO_TCP_RESET;
import static dev.wharf.nat.NatHarness.u16;
import static dev.wharf.nat.NatHarness.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ip4-nat-in's virtual services (the load balancer's hook), fed scapy's frames: a new flow to a VIP
 * gets the backend the services choose and its mark; replies are de-translated by conntrack alone; a VIP
 * without backends refuses at once; flows the control plane ends are answered with a reset (TCP) or
 * scheduled afresh (UDP); a SYN that reuses a closed flow's tuple meets the scheduler again. A marked
 * flow's packets and bytes are counted by mark and direction, per worker and summed when read; its state
 * changes reach the flow listener; a traced new flow's decision is put in words.
 */
class VirtualServicesTest
{
    private static final int SRC = 26;
    private static final int DST = 30;
    private static final int SPORT = 34;
    private static final int DPORT = 36;
    private static final int VIP = Fixture.ipv4Value("10.96.0.10");
    private static final int B1 = Fixture.ipv4Value("172.19.0.5");
    private static final int B2 = Fixture.ipv4Value("172.19.0.6");

    private final NatHarness nat = new NatHarness(NatConfiguration.defaults());
    private final RecordingListener listener = new RecordingListener();
    /** What the fake services answer for the VIP; every call is recorded. */
    private long answer = VirtualServices.translation(B1, 8080, 7);
    private final List<String> asked = new ArrayList<>();

    VirtualServicesTest()
    {
        nat.service.virtualServices(new VirtualServices()
        {
            @Override
            public long schedule(
                final int network, final int protocol, final int client, final int clientPort, final int destination,
                final int destinationPort, final long nowMs)
            {
                if (destination != VIP)
                {
                    return VirtualServices.NOT_VIRTUAL;
                }
                asked.add(network + " " + protocol + " " + dev.wharf.dataplane.protocol.Ipv4Address.toString(client) + ":" + clientPort +
                    " -> :" + destinationPort);
                return answer;
            }

            @Override
            public int backendAddress(final int mark)
            {
                return mark == 7 ? B1 : 0;
            }

            @Override
            public String describe(final int protocol, final int destination, final int destinationPort, final long answer)
            {
                return "asked " + protocol + " " + dev.wharf.dataplane.protocol.Ipv4Address.toString(destination) + ":" + destinationPort +
                    (answer == VirtualServices.NO_BACKEND ? " refused" : " mark " + VirtualServices.mark(answer));
            }
        });
        nat.service.table().flowListener(listener);
    }

    private static byte[] frame(final String name)
    {
        return Fixture.frame("nat_lb_" + name);
    }

    @Test
    void aNewFlowToTheVipGetsItsBackendAndTheRepliesComeBackFromTheVip(@TempDir final Path directory)
    {
        final NatHarness.Result syn = nat.send(FRONT, frame("syn_c1"));
        final NatHarness.Result synAck = nat.send(BACK, frame("synack_b1"));
        final NatHarness.Result ack = nat.send(FRONT, frame("ack_c1"));

        assertEquals(List.of(FRONT + " 6 172.18.0.2:40100 -> :80"), asked, "scheduled once, for the SYN only");
        assertEquals(B1, u32(syn.frame(), DST));
        assertEquals(8080, u16(syn.frame(), DPORT));
        assertEquals(C1, u32(syn.frame(), SRC), "the client's address is kept: the backend sees who called");
        assertEquals(VIP, u32(synAck.frame(), SRC), "the reply leaves from the VIP");
        assertEquals(80, u16(synAck.frame(), SPORT));
        assertEquals(B1, u32(ack.frame(), DST));
        assertEquals(1, nat.counter("ip4-nat-in.scheduled"));
        assertEquals(List.of(7), listener.created, "the flow carries its backend's mark");
        assertEquals(1, nat.service.count());

        final List<List<String>> rows = Tshark.fields(directory, List.of(syn.frame(), synAck.frame(), ack.frame()),
            "ip.checksum.status", "tcp.checksum.status");
        for (final List<String> row : rows)
        {
            assertEquals(List.of("1", "1"), row, "checksums after translation");
        }
    }

    @Test
    void aVipWithoutBackendsRefusesTcpWithAResetAndUdpWithPortUnreachable()
    {
        answer = VirtualServices.NO_BACKEND;

        assertEquals(TO_TCP_RESET, nat.send(FRONT, frame("syn_c1")).dropReason());
        assertEquals(TO_ICMP_ERROR, nat.send(FRONT, frame("udp_c1")).dropReason());
        assertEquals(IcmpErrorNode.encode(3, 3), nat.batch.icmpError[0]);
        assertEquals(2, nat.counter("ip4-nat-in.no-backend"));
        assertEquals(0, nat.service.count(), "nothing tracked");
    }

    @Test
    void anEndedTcpFlowIsAnsweredWithAResetAndRemoved()
    {
        nat.send(FRONT, frame("syn_c1"));
        nat.send(BACK, frame("synack_b1"));
        nat.send(FRONT, frame("ack_c1"));

        final int ended = nat.service.endFlows((oa, op, ra, rp, word) -> ConnectionState.mark(word) == 7);

        assertEquals(1, ended);
        assertEquals(1, nat.service.count(), "kept until its next segment");
        assertEquals(TO_TCP_RESET, nat.send(FRONT, frame("ack_c1")).dropReason());
        assertEquals(1, nat.counter("ip4-nat-in.ended"));
        assertEquals(0, nat.service.count());
        assertEquals(List.of(7), listener.removed);
        assertEquals(1, asked.size(), "not scheduled again: the client must see its connection end");
    }

    @Test
    void anEndedUdpFlowIsScheduledAfreshByItsNextDatagram()
    {
        answer = VirtualServices.translation(B1, 5353, 7);
        final NatHarness.Result first = nat.send(FRONT, frame("udp_c1"));
        final NatHarness.Result reply = nat.send(BACK, frame("udp_reply_b1"));
        assertEquals(VIP, u32(reply.frame(), SRC));
        answer = VirtualServices.translation(B2, 5353, 8);

        assertEquals(1, nat.service.endFlows((oa, op, ra, rp, word) -> ConnectionState.mark(word) == 7));
        final NatHarness.Result next = nat.send(FRONT, frame("udp_c1"));

        assertEquals(B1, u32(first.frame(), DST));
        assertEquals(B2, u32(next.frame(), DST), "the same client socket, another backend at once");
        assertEquals(2, asked.size());
        assertEquals(List.of(7, 8), listener.created);
        assertEquals(List.of(7), listener.removed);
    }

    @Test
    void aSynReusingAClosedFlowsPortsIsScheduledAfresh()
    {
        nat.send(FRONT, frame("syn_c1"));
        nat.send(BACK, frame("synack_b1"));
        nat.send(FRONT, frame("ack_c1"));
        nat.send(FRONT, frame("fin_c1"));
        nat.send(BACK, frame("fin_b1"));
        nat.send(FRONT, frame("last_ack_c1"));
        answer = VirtualServices.translation(B2, 8080, 8);

        final NatHarness.Result again = nat.send(FRONT, frame("syn_c1_again"));

        assertNull(again.dropReason());
        assertEquals(B2, u32(again.frame(), DST), "not the closed flow's backend");
        assertEquals(1, nat.counter("ip4-nat-in.rescheduled"));
        assertEquals(List.of(7, 8), listener.created);
        assertEquals(List.of(7), listener.removed);
        assertEquals(1, nat.service.count());
    }

    @Test
    void aRoutedFlowKeepsItsDestinationAndEveryPacketOfItGoesToTheBackend()
    {
        answer = VirtualServices.routed(B1, 7);
        final NatHarness.Result syn = nat.send(FRONT, frame("syn_c1"));

        assertEquals(VIP, u32(syn.frame(), DST), "direct server return: the VIP stays the destination");
        assertEquals(80, u16(syn.frame(), DPORT));
        assertEquals(C1, u32(syn.frame(), SRC), "no source translation: the backend answers the client itself");
        assertTrue((syn.flags() & PacketBatch.FLAG_NEXT_HOP_SET) != 0);
        assertEquals(B1, nat.batch.nextHop[0]);

        final NatHarness.Result ack = nat.send(FRONT, frame("ack_c1"));
        assertNull(ack.dropReason());
        assertEquals(VIP, u32(ack.frame(), DST));
        assertEquals(B1, nat.batch.nextHop[0], "a later packet goes to the same backend, with the reply never seen");
        assertTrue((ack.flags() & PacketBatch.FLAG_NEXT_HOP_SET) != 0);
        assertEquals(0, nat.counter("ip4-nat-in.tcp-out-of-state"), "a routed flow starts established");
        assertEquals(1, asked.size());
    }

    @Test
    void aFlowNotToAVipIsNeitherMarkedNorCounted()
    {
        nat.send(FRONT, Fixture.frame("nat_tcp_syn_c1"));

        assertTrue(asked.isEmpty());
        assertEquals(1, nat.service.count());
        assertTrue(listener.created.isEmpty(), "unmarked flows call no listener");
        assertFalse(nat.service.endFlows((oa, op, ra, rp, word) -> ConnectionState.mark(word) != 0) > 0);
    }

    @Test
    void aMarkedFlowsPacketsAndBytesAreCountedByMarkAndDirection()
    {
        nat.send(FRONT, frame("syn_c1"));
        nat.send(BACK, frame("synack_b1"));
        nat.send(FRONT, frame("ack_c1"));
        nat.send(FRONT, frame("ack_c1"));

        final long[] totals = new long[MarkCounters.COUNTERS];
        nat.service.markTotals(7, totals);
        assertEquals(3, totals[MarkCounters.PACKETS_IN], "the SYN as it was scheduled, then the ACKs");
        assertEquals(3 * 40, totals[MarkCounters.BYTES_IN], "54-byte frames: 40 from the IPv4 header on");
        assertEquals(1, totals[MarkCounters.PACKETS_OUT]);
        assertEquals(40, totals[MarkCounters.BYTES_OUT]);
        nat.service.markTotals(0, totals);
        assertEquals(0, totals[MarkCounters.PACKETS_IN] + totals[MarkCounters.PACKETS_OUT], "mark 0 is no one's");
        assertEquals(List.of("SYN_SENT->SYN_RECV", "SYN_RECV->ESTABLISHED"), listener.changed, "its state changes, told once each");
    }

    @Test
    void eachWorkerCountsItsOwnPacketsAndTheTotalsSumThem()
    {
        final NatHarness other = new NatHarness(nat.service, 1);
        nat.send(FRONT, frame("syn_c1"));
        other.send(BACK, frame("synack_b1"));
        other.send(FRONT, frame("ack_c1"));
        nat.send(FRONT, frame("ack_c1"));

        final long[] totals = new long[MarkCounters.COUNTERS];
        nat.service.markTotals(7, totals);
        assertEquals(3, totals[MarkCounters.PACKETS_IN]);
        assertEquals(1, totals[MarkCounters.PACKETS_OUT]);
        assertEquals(List.of("SYN_SENT->SYN_RECV", "SYN_RECV->ESTABLISHED"), listener.changed);
    }

    @Test
    void aFlowNotToAVipCountsNothingAndChangesNotTheListener()
    {
        nat.send(FRONT, Fixture.frame("nat_tcp_syn_c1"));
        final long[] totals = new long[MarkCounters.COUNTERS];
        for (int mark = 0; mark <= ConnectionState.MAX_MARK; mark++)
        {
            nat.service.markTotals(mark, totals);
            assertEquals(0, totals[0] + totals[1] + totals[2] + totals[3], "mark " + mark);
        }
        assertTrue(listener.changed.isEmpty());
    }

    @Test
    void aTracedNewFlowsDecisionIsPutInWordsAndNoOtherPacketsIs()
    {
        final Node natIn = nat.graph.node(nat.graph.nodeId(NatInNode.NAME));
        nat.send(FRONT, frame("syn_c1"));
        assertEquals("asked 6 10.96.0.10:80 mark 7", natIn.traceDetail(nat.batch, 0), "the service asked about and its answer");
        nat.send(BACK, frame("synack_b1"));
        assertNull(natIn.traceDetail(nat.batch, 0), "an established flow's packet: nothing decided");
        nat.send(FRONT, Fixture.frame("nat_tcp_syn_c1"));
        assertNull(natIn.traceDetail(nat.batch, 0), "a new flow to no virtual service");

        answer = VirtualServices.NO_BACKEND;
        nat.send(FRONT, frame("udp_c1"));
        assertEquals("asked 17 10.96.0.10:53 refused", natIn.traceDetail(nat.batch, 0));
    }

    /** Notes the marks of the flows the table creates and removes, and their state changes. */
    private static final class RecordingListener implements ConntrackTable.FlowListener
    {
        final List<Integer> created = new ArrayList<>();
        final List<Integer> removed = new ArrayList<>();
        final List<String> changed = new ArrayList<>();

        @Override
        public void changed(final int before, final int after)
        {
            assertEquals(ConnectionState.mark(before), ConnectionState.mark(after), "a flow keeps its mark");
            changed.add(ConnectionState.name(before) + "->" + ConnectionState.name(after));
        }

        @Override
        public void created(final int stateWord)
        {
            created.add(ConnectionState.mark(stateWord));
        }

        @Override
        public void removed(final int stateWord)
        {
            removed.add(ConnectionState.mark(stateWord));
        }
    }
}
