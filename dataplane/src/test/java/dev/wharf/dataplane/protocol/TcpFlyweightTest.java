package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TcpFlyweightTest
{
    static List<Fixture> tcpFrames()
    {
        return Fixture.having("tcp.sport");
    }

    static List<Fixture> ipv4TcpFrames()
    {
        return Fixture.having("tcp.chksum_valid").stream().filter(f -> f.has("ip.offset")).toList();
    }

    @Test
    void theFixturesCoverIpv4AndIpv6Segments()
    {
        assertEquals(22, tcpFrames().size(), "frames: " + tcpFrames());
        assertEquals(1, tcpFrames().stream().filter(f -> f.has("ipv6.offset")).count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tcpFrames")
    void readsEveryFieldScapyWrote(final Fixture fixture)
    {
        final int l4 = fixture.intValue("tcp.offset");
        final TcpFlyweight tcp = new TcpFlyweight().wrap(Frames.bufferAt(fixture.bytes(), 2), 2 + l4);

        assertEquals(fixture.intValue("tcp.sport"), tcp.sourcePort());
        assertEquals(fixture.intValue("tcp.dport"), tcp.destinationPort());
        assertEquals(fixture.longValue("tcp.seq"), tcp.sequence());
        assertEquals(fixture.intValue("tcp.dataofs"), tcp.headerLength());
        assertEquals(fixture.intValue("tcp.flags"), tcp.flags());
        assertEquals(fixture.intValue("tcp.window"), tcp.window());
        if (fixture.has("tcp.ack"))
        {
            assertEquals(fixture.longValue("tcp.ack"), tcp.acknowledgment());
            assertEquals(fixture.intValue("tcp.chksum"), tcp.checksum());
        }
    }

    @Test
    void synWithOptionsHasA40ByteHeaderAndOnlySyn()
    {
        final TcpFlyweight tcp = new TcpFlyweight().wrap(new UnsafeBuffer(Fixture.frame("tcp_syn_options")), 34);

        assertEquals(40, tcp.headerLength());
        assertEquals(TcpFlyweight.SYN, tcp.flags());
    }

    @Test
    void sequenceAndAcknowledgmentAboveTwoToThe31ReadUnsigned()
    {
        final Fixture fixture = Fixture.load("tcp_ack_odd_payload");
        final TcpFlyweight tcp = new TcpFlyweight().wrap(new UnsafeBuffer(fixture.bytes()), fixture.intValue("tcp.offset"));

        assertEquals(0xA0B0C0D0L, tcp.acknowledgment());
        assertEquals(TcpFlyweight.PSH | TcpFlyweight.ACK, tcp.flags());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipv4TcpFrames")
    void checksumVerdictWithThePseudoHeaderAgreesWithScapy(final Fixture fixture)
    {
        final UnsafeBuffer buffer = Frames.bufferAt(fixture.bytes(), 3);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(buffer, 3 + fixture.intValue("ip.offset"));
        final int length = fixture.intValue("tcp.length");
        final TcpFlyweight tcp = new TcpFlyweight().wrap(buffer, 3 + fixture.intValue("tcp.offset"));

        assertEquals(fixture.bool("tcp.chksum_valid"), tcp.isChecksumValid(ip.pseudoHeaderSum(length), length));
    }

    @Test
    void settersWriteTheResetScapyBuiltAndItsChecksumFromScratch()
    {
        final byte[] want = Fixture.frame("tcp_syn_to_gateway_expected_reset");
        final byte[] frame = want.clone();
        java.util.Arrays.fill(frame, 34, 54, (byte)0xA5);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(buffer, 14);

        new TcpFlyweight().wrap(buffer, 34)
            .sourcePort(22).destinationPort(45678).sequence(0).acknowledgment(0x1_1122_3345L)
            .headerLength(20).flags(TcpFlyweight.RST | TcpFlyweight.ACK).window(0).urgentPointer(0)
            .updateChecksum(ip.pseudoHeaderSum(20), 20);

        assertArrayEquals(want, frame, "expected " + Frames.hex(want) + "\n but was " + Frames.hex(frame));
    }

    @Test
    void portAndChecksumSettersRoundTrip()
    {
        final byte[] frame = Fixture.frame("tcp_syn_options");
        final TcpFlyweight tcp = new TcpFlyweight().wrap(new UnsafeBuffer(frame), 34);

        tcp.sourcePort(65535).destinationPort(1).checksum(0xFEDC);

        assertEquals(65535, tcp.sourcePort());
        assertEquals(1, tcp.destinationPort());
        assertEquals(0xFEDC, tcp.checksum());
        assertEquals(0xFEDC, Frames.u16(frame, 34 + TcpFlyweight.CHECKSUM_OFFSET));
    }
}
