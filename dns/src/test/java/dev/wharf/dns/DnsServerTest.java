package dev.wharf.dns;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.punt.PuntChannel;
import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Tshark;
import dev.wharf.dataplane.worker.Pipeline;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queries scapy wrote, received on a port, punted by dns-punt, answered by the server and injected back: what dig
 * would see (parsed by dnsjava, dissected by tshark with every checksum checked).
 */
class DnsServerTest
{
    private static final int C1_IP = 0x0A0A0002;
    /** Where the TCP header starts in the fixtures: Ethernet, then IPv4 without options. */
    private static final int TCP = 34;

    private final BridgeHarness harness = new BridgeHarness(Pipeline.compose(0, List.of(new DnsFeature(Dns.PUNT_SERVICE, this::zones))));
    private final DnsCounters counters = new DnsCounters();
    private final List<Message> forwarded = new ArrayList<>();
    private DnsZones zones = DnsZones.EMPTY;
    private int front;
    private int back;
    private int c1;
    private DnsServer server;

    private DnsZones zones()
    {
        return zones;
    }

    @BeforeEach
    void setUp()
    {
        front = harness.addNetwork("front", "10.10.0.0", 24, "10.10.0.1", 0x02420a0a0001L);
        back = harness.addNetwork("back", "10.20.0.0", 24, "10.20.0.1", 0x02420a140001L);
        c1 = harness.accessPort(front, 0);
        harness.accessPort(back, 0);
        final List<Integer> sixty = IntStream.range(0, 60).map(n -> 0x0A0A0100 + n).boxed().toList();
        zones = new DnsZones(Map.of(
            front, new NetworkNames(front, "front", false, 0x0A0A0000, 24, Map.of(
                "web-1.", entry("web-1.", NetworkNames.Mode.FIXED, "container", C1_IP),
                "web.", entry("web.", NetworkNames.Mode.FIXED, "alias", C1_IP),
                "web-2.", entry("web-2.", NetworkNames.Mode.FIXED, "container", 0x0A0A0003),
                "web-rr.", entry("web-rr.", NetworkNames.Mode.ROUND_ROBIN, "service", 0x0A0A000B, 0x0A0A000C, 0x0A0A000D),
                "big.", new NetworkNames.Entry("big.", sixty, NetworkNames.Mode.ROUND_ROBIN, "lb", "service")),
                Map.of(C1_IP, "web-1", 0x0A0A0003, "web-2")),
            back, new NetworkNames(back, "back", true, 0x0A140000, 24, Map.of(
                "secret-db.", entry("secret-db.", NetworkNames.Mode.FIXED, "container", 0x0A140005)), Map.of())));
        server = server(true);
    }

    private DnsServer server(final boolean forwarding)
    {
        final Forwarder forwarder = new Forwarder()
        {
            @Override
            public void forward(final Message query, final QueryOrigin origin, final java.util.function.Consumer<Message> onAnswer)
            {
                forwarded.add(query);
            }

            @Override
            public int poll(final long nowMs)
            {
                return 0;
            }
        };
        return new DnsServer(this::zones, forwarding ? forwarder : null, 0, worker -> harness.context().punt, counters);
    }

    private static NetworkNames.Entry entry(final String name, final NetworkNames.Mode mode, final String kind, final Integer... addresses)
    {
        return new NetworkNames.Entry(name, Arrays.asList(addresses), mode, "test", kind);
    }

    @AfterEach
    void tearDown()
    {
        harness.close();
    }

    /** Sends the fixture on c1, runs the punted message through the server, and returns the frames it injected. */
    private List<byte[]> ask(final String fixture)
    {
        return ask(fixture, Fixture.frame(fixture));
    }

    private List<byte[]> ask(final String fixture, final byte[] frame)
    {
        final BridgeHarness.Outcome outcome = harness.sendOne(c1, frame);
        assertEquals("dns-punt", outcome.lastNode(), fixture + " is punted: " + outcome.pathText());
        final PuntChannel punt = harness.context().punt;
        assertEquals(1, punt.readPunted((service, buffer, index, length) ->
        {
            assertEquals(Dns.PUNT_SERVICE, service);
            server.onPunt(0, buffer, index, length);
        }, 10));
        final PacketBatch batch = new PacketBatch();
        final int count = punt.drainInjected(batch);
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            assertEquals(c1, batch.outPort[i], "the reply leaves by the port the query came in on");
            final UnsafeBuffer sent = batch.frame(i);
            final byte[] bytes = new byte[batch.length[i]];
            sent.getBytes(0, bytes);
            frames.add(bytes);
        }
        punt.releaseInjected(count);
        return frames;
    }

    private Message answer(final String fixture) throws Exception
    {
        final List<byte[]> frames = ask(fixture);
        assertEquals(1, frames.size(), "one reply to " + fixture);
        final byte[] frame = frames.get(0);
        final Message reply = new Message(Arrays.copyOfRange(frame, 42, frame.length));
        assertEquals(Fixture.load(fixture).intValue("dns.id"), reply.getHeader().getID());
        assertTrue(reply.getHeader().getFlag(Flags.QR));
        return reply;
    }

    private static List<String> addresses(final Message reply)
    {
        return reply.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
            .map(r -> ((ARecord)r).getAddress().getHostAddress()).toList();
    }

    @Test
    void aContainerNameAndAnAliasResolveToItsAddressAuthoritativelyWithTtlZero() throws Exception
    {
        final Message name = answer("dns_query_a_web1");
        assertEquals(Rcode.NOERROR, name.getRcode());
        assertTrue(name.getHeader().getFlag(Flags.AA));
        assertTrue(name.getHeader().getFlag(Flags.RD), "RD echoed");
        assertEquals(List.of("10.10.0.2"), addresses(name));
        assertEquals(0, name.getSection(Section.ANSWER).get(0).getTTL());

        assertEquals(List.of("10.10.0.2"), addresses(answer("dns_query_a_alias_mixed_case")), "names are case-insensitive");
        assertEquals(2, counters.get(DnsCounters.Counter.ANSWERED_LOCAL));
    }

    @Test
    void aaaaOfAnExistingNameIsAnEmptyAnswerNotNxdomain() throws Exception
    {
        final Message reply = answer("dns_query_aaaa_web1");
        assertEquals(Rcode.NOERROR, reply.getRcode());
        assertTrue(reply.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void reverseLookupsAnswerKnownAddressesAndNxdomainTheRestOfTheSubnetWithoutForwarding() throws Exception
    {
        final Message known = answer("dns_query_ptr_c2");
        assertEquals("web-2.", ((PTRRecord)known.getSection(Section.ANSWER).get(0)).getTarget().toString());
        assertEquals(Rcode.NXDOMAIN, answer("dns_query_ptr_unknown_in_subnet").getRcode());
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void aNameOfANetworkTheAskerIsNotOnDoesNotExistForIt() throws Exception
    {
        assertEquals(Rcode.NXDOMAIN, answer("dns_query_a_other_network").getRcode());
        assertTrue(forwarded.isEmpty(), "not forwarded either");
        assertEquals(1, counters.get(DnsCounters.Counter.NXDOMAIN));
    }

    @Test
    void otherNamesAreForwardedAndRefusedWhenThereIsNoUpstream() throws Exception
    {
        assertTrue(ask("dns_query_a_external").isEmpty(), "the answer comes from upstream later");
        assertEquals(1, forwarded.size());
        assertEquals("example.org.", forwarded.get(0).getQuestion().getName().toString());

        server = server(false);
        assertEquals(Rcode.REFUSED, answer("dns_query_a_external").getRcode());
        assertEquals(1, counters.get(DnsCounters.Counter.REFUSED));
    }

    @Test
    void aRoundRobinServiceGivesEveryBackendWithTheFirstRotating() throws Exception
    {
        final List<String> first = addresses(answer("dns_query_a_service_rr"));
        final List<String> second = addresses(answer("dns_query_a_service_rr"));
        final List<String> third = addresses(answer("dns_query_a_service_rr"));
        assertEquals(List.of("10.10.0.11", "10.10.0.12", "10.10.0.13"), first.stream().sorted().toList());
        assertEquals(3, List.of(first.get(0), second.get(0), third.get(0)).stream().distinct().count(), first + " " + second + " " + third);
    }

    @Test
    void anAnswerTooLargeForClassicUdpIsTruncatedAndOneWithEdnsFits() throws Exception
    {
        final Message classic = answer("dns_query_a_big_service");
        assertTrue(classic.getHeader().getFlag(Flags.TC), "TC: retry over TCP");
        assertTrue(addresses(classic).size() < 60);

        final Message edns = answer("dns_query_a_big_service_edns");
        assertFalse(edns.getHeader().getFlag(Flags.TC));
        assertEquals(60, addresses(edns).size());
        assertTrue(edns.getOPT() != null, "EDNS answered with EDNS");
        assertEquals(1, counters.get(DnsCounters.Counter.TRUNCATED));
    }

    @Test
    void malformedMessagesGetFormerrWhenTheirHeaderIsThereAndNothingOtherwise() throws Exception
    {
        assertEquals(Rcode.FORMERR, answer("dns_malformed_compression_loop").getRcode());
        assertEquals(Rcode.FORMERR, answer("dns_malformed_truncated_question").getRcode());
        assertTrue(ask("dns_malformed_short").isEmpty());
        assertTrue(ask("dns_response_sent_to_server").isEmpty(), "a response is never answered (no reflection)");
        assertEquals(2, counters.get(DnsCounters.Counter.FORMERR));
        assertEquals(2, counters.get(DnsCounters.Counter.MALFORMED_DROPPED));
        assertEquals(List.of("10.10.0.2"), addresses(answer("dns_query_a_web1")), "and the next query is answered");
    }

    @Test
    void whatIsNotAQueryToTheOwnGatewaysPort53GoesOnToTheCore()
    {
        final BridgeHarness.Outcome otherPort = harness.sendOne(c1, Fixture.frame("dns_query_to_port_5353"));
        assertTrue(otherPort.path().contains("icmp-error"), "port unreachable, as before: " + otherPort.pathText());
        final BridgeHarness.Outcome otherGateway = harness.sendOne(c1, Fixture.frame("dns_query_to_other_gateway"));
        assertTrue(otherGateway.path().contains("icmp-error"), "another network's gateway does not serve this one: " + otherGateway.pathText());
        assertEquals(0, harness.context().punt.readPunted((s, b, i, l) -> { }, 10), "none was punted");
        assertEquals(0, harness.counter("dns-punt.punted"));
    }

    @Test
    void anAnswerTooLargeForUdpComesWholeOverTcp(@TempDir final Path directory) throws Exception
    {
        final List<byte[]> synAck = ask("dns_tcp_syn");
        assertEquals(1, synAck.size());
        final ByteBuffer handshake = ByteBuffer.wrap(synAck.get(0));
        assertEquals(0x12, handshake.get(TCP + 13) & 0xFF, "SYN-ACK");
        assertEquals(101, handshake.getInt(TCP + 8), "acknowledges the client's SYN");
        final int iss = handshake.getInt(TCP + 4);

        final byte[] query = Fixture.frame("dns_tcp_query_big");
        ByteBuffer.wrap(query).putInt(TCP + 8, iss + 1); // the client's ACK of our SYN, as its kernel would write it
        final List<byte[]> answer = ask("dns_tcp_query_big", query);
        assertEquals(1, answer.size(), "60 addresses fit one segment of the client's MSS");
        final byte[] segment = answer.get(0);
        final int payload = TCP + ((segment[TCP + 12] & 0xF0) >>> 4) * 4;
        final int length = (segment[payload] & 0xFF) << 8 | segment[payload + 1] & 0xFF;
        assertEquals(segment.length - payload - 2, length, "one whole length-prefixed message");
        final Message reply = new Message(Arrays.copyOfRange(segment, payload + 2, segment.length));
        assertEquals(0x4001, reply.getHeader().getID());
        assertFalse(reply.getHeader().getFlag(Flags.TC));
        assertEquals(60, addresses(reply).size());

        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, List.of(synAck.get(0), segment),
            "ip.checksum.status", "tcp.checksum.status", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack", "tcp.options.mss_val",
            "dns.count.answers", "_ws.malformed");
        assertEquals(List.of("1", "1", "53", "1", "1", "1400", "", ""), rows.get(0), "the SYN-ACK offers our MSS");
        assertEquals(List.of("1", "1", "53", "0", "1", "", "60", ""), rows.get(1), "tshark reads DNS over TCP with 60 answers");
        assertEquals(1, counters.get(DnsCounters.Counter.TCP_CONNECTIONS));
    }

    @Test
    void aNetworkNotServedIsNotPunted()
    {
        zones = DnsZones.EMPTY;
        final BridgeHarness.Outcome outcome = harness.sendOne(c1, Fixture.frame("dns_query_a_web1"));
        assertFalse("dns-punt".equals(outcome.lastNode()), outcome.pathText());
        assertEquals(0, harness.context().punt.readPunted((s, b, i, l) -> { }, 10));
    }

    @Test
    void tsharkReadsEveryReplyAsWellFormedDnsWithGoodChecksums(@TempDir final Path directory)
    {
        Tshark.require();
        final List<byte[]> replies = new ArrayList<>();
        for (final String fixture : List.of("dns_query_a_web1", "dns_query_ptr_c2", "dns_query_a_other_network", "dns_query_a_big_service",
            "dns_malformed_compression_loop"))
        {
            replies.addAll(ask(fixture));
        }
        final List<List<String>> rows = Tshark.fields(directory, replies,
            "eth.dst", "ip.src", "ip.dst", "ip.checksum.status", "udp.srcport", "udp.dstport", "udp.checksum.status",
            "dns.flags.response", "dns.flags.rcode", "dns.flags.truncated", "dns.a", "dns.ptr.domain_name", "_ws.malformed");
        assertEquals(5, rows.size());
        for (final List<String> row : rows)
        {
            assertEquals(List.of("02:42:0a:0a:00:02", "10.10.0.1", "10.10.0.2", "1", "53", "40000", "1", "1"), row.subList(0, 8), row.toString());
            assertEquals("", row.get(12), "not malformed: " + row);
        }
        assertEquals(List.of("0", "0", "10.10.0.2", ""), List.of(rows.get(0).get(8), rows.get(0).get(9), rows.get(0).get(10), rows.get(0).get(11)));
        assertEquals("web-2", rows.get(1).get(11));
        assertEquals("3", rows.get(2).get(8), "NXDOMAIN");
        assertEquals("1", rows.get(3).get(9), "truncated");
        assertEquals("1", rows.get(4).get(8), "FORMERR");
    }
}
