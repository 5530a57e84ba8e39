package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.wharf.nat.NatHarness.C1;
import static dev.wharf.nat.NatHarness.FRONT;
import static dev.wharf.nat.NatHarness.S;
import static dev.wharf.nat.NatHarness.UPLINK;
import static dev.wharf.nat.NatHarness.UPLINK_IP;
import static dev.wharf.nat.NatHarness.u16;
import static dev.wharf.nat.NatHarness.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual reassembly through ip4-nat-in and ip4-nat-out: scapy's fragments of a 3000-byte UDP datagram
 * (src/test/scapy/make_fixtures.py), masqueraded to a one-port range so the translated port is known
 * (61000, which the reply fixtures are addressed to). tshark reassembles what leaves and verifies the
 * UDP checksum of the whole datagram.
 */
class NatFragmentTest
{
    private static final int SRC = 26;
    private static final int DST = 30;
    private static final int SPORT = 34;
    private static final int DPORT = 36;
    private static final int MASQUERADE_PORT = 61_000;
    private static final String[] REASSEMBLED = {"ip.src", "ip.dst", "ip.checksum.status", "udp.srcport", "udp.dstport",
        "udp.checksum.status", "udp.length", "_ws.malformed"};

    private final NatHarness nat = new NatHarness(new NatConfiguration(1024, MASQUERADE_PORT, MASQUERADE_PORT));

    private static List<byte[]> fragments(final String name)
    {
        return List.of(Fixture.frame("nat_" + name + "_1"), Fixture.frame("nat_" + name + "_2"), Fixture.frame("nat_" + name + "_3"));
    }

    /** Sends each frame in a batch of its own, in order; every one must leave. */
    private List<NatHarness.Result> sendEach(final int network, final List<byte[]> frames)
    {
        final List<NatHarness.Result> results = new ArrayList<>();
        for (final byte[] frame : frames)
        {
            final NatHarness.Result result = nat.send(network, frame);
            assertFalse(result.dropped(), "dropped: " + result.dropReason());
            results.add(result);
        }
        return results;
    }

    private static List<byte[]> frames(final List<NatHarness.Result> results)
    {
        final List<byte[]> frames = new ArrayList<>();
        for (final NatHarness.Result result : results)
        {
            assertFalse(result.dropped(), "dropped: " + result.dropReason());
            frames.add(result.frame());
        }
        return frames;
    }

    /** Every fragment's IPv4 checksum good; the datagram, reassembled in the last row, has these ports and a good UDP checksum. */
    private static void assertReassembles(final Path directory, final List<byte[]> frames, final int sourcePort, final int destinationPort)
    {
        Tshark.require();
        final List<List<String>> rows = reassembledFields(directory, frames);
        for (final List<String> row : rows)
        {
            assertEquals("1", row.get(2), "IPv4 header checksum in " + row);
            assertTrue(row.get(7).isEmpty(), "malformed: " + row);
        }
        final List<String> last = rows.get(rows.size() - 1);
        assertEquals(String.valueOf(sourcePort), last.get(3), "reassembled: " + rows);
        assertEquals(String.valueOf(destinationPort), last.get(4), "reassembled: " + rows);
        assertEquals("1", last.get(5), "UDP checksum of the reassembled datagram: " + rows);
        assertEquals("2980", last.get(6), "reassembled: " + rows);
    }

    /** {@link Tshark#fields} with IPv4 reassembly on: one row of {@link #REASSEMBLED} per frame. */
    private static List<List<String>> reassembledFields(final Path directory, final List<byte[]> frames)
    {
        Tshark.require();
        return Tshark.fields(directory, frames, List.of("ip.defragment:TRUE"), REASSEMBLED);
    }

    /** The bytes after the IPv4 header (payload in a non-first fragment) are as they were sent. */
    private static void assertPayloadUntouched(final byte[] sent, final byte[] out)
    {
        assertArrayEquals(Arrays.copyOfRange(sent, 34, sent.length), Arrays.copyOfRange(out, 34, out.length));
    }

    @Test
    void fragmentsOfAMasqueradedDatagramLeaveTranslatedAndReassemble(@TempDir final Path directory)
    {
        final List<byte[]> sent = fragments("udp_frag_c1");
        final List<byte[]> out = frames(sendEach(FRONT, sent));

        for (final byte[] frame : out)
        {
            assertEquals(UPLINK_IP, u32(frame, SRC));
            assertEquals(S, u32(frame, DST));
        }
        assertEquals(MASQUERADE_PORT, u16(out.get(0), SPORT), "the first fragment carries the translated port");
        assertPayloadUntouched(sent.get(1), out.get(1));
        assertPayloadUntouched(sent.get(2), out.get(2));
        assertEquals(1, nat.service.count());
        assertEquals(0, nat.counter("ip4-nat-in.non-first-fragment"));
        assertReassembles(directory, out, MASQUERADE_PORT, 7000);
    }

    @Test
    void fragmentsOfAReplyComeBackDeTranslatedAndReassemble(@TempDir final Path directory)
    {
        sendEach(FRONT, fragments("udp_frag_c1"));
        final List<byte[]> sent = fragments("udp_frag_reply_s");
        final List<NatHarness.Result> results = sendEach(UPLINK, sent);
        final List<byte[]> out = frames(results);

        for (final NatHarness.Result result : results)
        {
            assertEquals(S, u32(result.frame(), SRC));
            assertEquals(C1, u32(result.frame(), DST));
            assertTrue((result.flags() & PacketBatch.FLAG_ESTABLISHED) != 0);
        }
        assertEquals(41000, u16(out.get(0), DPORT), "the first fragment carries the de-translated port");
        assertTrue((results.get(0).flags() & PacketBatch.FLAG_DESTINATION_REWRITTEN) != 0);
        assertEquals(0, results.get(1).flags() & PacketBatch.FLAG_DESTINATION_REWRITTEN,
            "no ICMP error is made about a non-first fragment, so nothing to record");
        assertPayloadUntouched(sent.get(1), out.get(1));
        assertPayloadUntouched(sent.get(2), out.get(2));
        assertReassembles(directory, out, 7000, 41000);
    }

    @Test
    void fragmentsInTheSameBatchAsTheirFirstPassBothWays(@TempDir final Path directory)
    {
        // the first fragment creates the flow in ip4-nat-out, after ip4-nat-in has seen the others
        final List<byte[]> out = frames(nat.sendAll(FRONT, fragments("udp_frag_c1"), 0));
        for (final byte[] frame : out)
        {
            assertEquals(UPLINK_IP, u32(frame, SRC));
        }
        assertReassembles(directory, out, MASQUERADE_PORT, 7000);

        // the flow exists: ip4-nat-in resolves the later fragments after the first's lookup
        final List<byte[]> replies = frames(nat.sendAll(UPLINK, fragments("udp_frag_reply_s"), 0));
        for (final byte[] frame : replies)
        {
            assertEquals(C1, u32(frame, DST));
        }
        assertReassembles(directory, replies, 7000, 41000);
        assertEquals(0, nat.counter("ip4-nat-in.non-first-fragment"));
    }

    @Test
    void aFragmentBeforeItsFirstIsDroppedAndCounted()
    {
        final List<byte[]> sent = fragments("udp_frag_c1");

        assertEquals("ip4-nat-in.non-first-fragment", nat.send(FRONT, sent.get(1)).dropReason());
        assertEquals(1, nat.counter("ip4-nat-in.non-first-fragment"));
        assertFalse(nat.send(FRONT, sent.get(0)).dropped());
        assertFalse(nat.send(FRONT, sent.get(2)).dropped(), "the fragments after the first pass");
    }

    @Test
    void aFragmentOfARemovedFlowIsDropped()
    {
        final List<byte[]> sent = fragments("udp_frag_c1");
        assertFalse(nat.send(FRONT, sent.get(0)).dropped());
        assertEquals(1, nat.service.flush());

        assertEquals("ip4-nat-in.non-first-fragment", nat.send(FRONT, sent.get(1)).dropReason());

        // a new flow in the same slot has another generation: still not the fragment's flow
        assertFalse(nat.send(FRONT, Fixture.frame("nat_udp_c1")).dropped());
        assertEquals("ip4-nat-in.non-first-fragment", nat.send(FRONT, sent.get(2)).dropReason());
        assertEquals(2, nat.counter("ip4-nat-in.non-first-fragment"));
    }

    @Test
    void aFragmentAfterTheEntryExpiredIsDropped()
    {
        final List<byte[]> sent = fragments("udp_frag_c1");
        assertFalse(nat.send(FRONT, sent.get(0)).dropped());
        nat.context.nowMs += FragmentTable.LIFETIME_MS;

        assertEquals("ip4-nat-in.non-first-fragment", nat.send(FRONT, sent.get(1)).dropReason());
    }
}
