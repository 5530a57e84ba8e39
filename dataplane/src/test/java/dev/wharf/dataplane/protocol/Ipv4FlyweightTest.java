package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4FlyweightTest
{
    static List<Fixture> ipv4Frames()
    {
        return Fixture.having("ip.version");
    }

    static List<Fixture> checksummedFrames()
    {
        return Fixture.having("ip.chksum_valid");
    }

    static List<Fixture> transportFrames()
    {
        return Fixture.names().stream().map(Fixture::load)
            .filter(f -> f.has("ip.offset") && (f.has("tcp.chksum_valid") || f.has("udp.chksum_valid"))).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipv4Frames")
    void readsEveryHeaderFieldScapyWrote(final Fixture fixture)
    {
        final int l3 = fixture.intValue("ip.offset");
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(Frames.bufferAt(fixture.bytes(), 7), 7 + l3);

        assertEquals(fixture.intValue("ip.version"), ip.version());
        assertEquals(fixture.intValue("ip.ihl"), ip.headerLength());
        assertEquals(fixture.intValue("ip.len"), ip.totalLength());
        assertEquals(fixture.intValue("ip.id"), ip.identification());
        assertEquals(fixture.bool("ip.is_fragment"), ip.isFragment());
        assertEquals(fixture.intValue("ip.ttl"), ip.ttl());
        assertEquals(fixture.intValue("ip.proto"), ip.protocol());
        assertEquals(fixture.intValue("ip.chksum"), ip.checksum());
        assertEquals(fixture.ipv4("ip.src"), ip.source());
        assertEquals(fixture.ipv4("ip.dst"), ip.destination());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checksummedFrames")
    void checksumVerdictAgreesWithScapy(final Fixture fixture)
    {
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(new UnsafeBuffer(fixture.bytes()), fixture.intValue("ip.offset"));

        assertEquals(fixture.bool("ip.chksum_valid"), ip.isChecksumValid());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checksummedFrames")
    void updateChecksumComputesWhatScapyComputedAndVerifies(final Fixture fixture)
    {
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(new UnsafeBuffer(fixture.bytes()), fixture.intValue("ip.offset"));

        ip.checksum(0xBEEF).updateChecksum();

        assertTrue(ip.isChecksumValid());
        if (fixture.bool("ip.chksum_valid"))
        {
            assertEquals(fixture.intValue("ip.chksum"), ip.checksum());
        }
    }

    @Test
    void updateChecksumRepairsTheCorruptedHeader()
    {
        final Fixture bad = Fixture.load("icmp_echo_gateway_bad_ip_checksum");
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(new UnsafeBuffer(bad.bytes()), 14);
        assertFalse(ip.isChecksumValid());

        ip.updateChecksum();

        // the generator flipped 0x0101 in scapy's correct checksum
        assertEquals(bad.intValue("ip.chksum") ^ 0x0101, ip.checksum());
        assertTrue(ip.isChecksumValid());
    }

    @Test
    void headerWithOptionsIsLongerAndItsChecksumCoversThem()
    {
        final Fixture fixture = Fixture.load("icmp_echo_gateway_options");
        final byte[] frame = fixture.bytes();
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(new UnsafeBuffer(frame), 14);
        assertEquals(24, ip.headerLength());
        assertTrue(ip.isChecksumValid());

        frame[14 + 22] ^= 0x01; // inside the router-alert option

        assertFalse(ip.isChecksumValid());
    }

    @Test
    void settersWriteInNetworkOrderAndReadBack()
    {
        final byte[] frame = Fixture.frame("udp_a_to_b");
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(new UnsafeBuffer(frame), 14);

        ip.ttl(200).source(0xC0A8_0001).destination(0xFFFF_FFFE).totalLength(0xFFFF).identification(0xABCD).checksum(0x8001);

        assertEquals(200, ip.ttl());
        assertEquals(0xC0A8_0001, ip.source());
        assertEquals(0xFFFF_FFFE, ip.destination());
        assertEquals(0xFFFF, ip.totalLength());
        assertEquals(0xABCD, ip.identification());
        assertEquals(0x8001, ip.checksum());
        assertEquals((byte)0xC8, frame[14 + 8]);
        assertEquals((byte)0xC0, frame[14 + 12]);
        assertEquals((byte)0xAB, frame[14 + 4]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transportFrames")
    void pseudoHeaderSumCompletesScapysTransportChecksum(final Fixture fixture)
    {
        final int l3 = fixture.intValue("ip.offset");
        final UnsafeBuffer buffer = new UnsafeBuffer(fixture.bytes());
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(buffer, l3);
        final int l4 = l3 + ip.headerLength();
        final int l4Length = ip.totalLength() - ip.headerLength();
        final String layer = fixture.has("tcp.chksum") ? "tcp" : "udp";

        final int folded = Checksums.fold(Checksums.sum(buffer, l4, l4Length, ip.pseudoHeaderSum(l4Length)));

        assertEquals(fixture.bool(layer + ".chksum_valid"), folded == 0xFFFF);
    }

    @Test
    void nonFragmentsWithDontFragmentAreNotFragments()
    {
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(new UnsafeBuffer(Fixture.frame("icmp_echo_gateway_56")), 14);
        assertEquals(2, Fixture.load("icmp_echo_gateway_56").intValue("ip.flags"), "DF set");
        assertFalse(ip.isFragment());

        final byte[] lastFragment = Fixture.frame("udp_a_to_b");
        lastFragment[14 + 7] = 0x10; // offset 16 units, MF clear
        assertTrue(new Ipv4Flyweight().wrap(new UnsafeBuffer(lastFragment), 14).isFragment());
    }
}
