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

class Ipv6FlyweightTest
{
    static List<Fixture> ipv6Frames()
    {
        return Fixture.having("ipv6.version");
    }

    @Test
    void theFixturesCoverTcpIcmpv6AndNeighbourDiscovery()
    {
        assertEquals(3, ipv6Frames().size(), "frames: " + ipv6Frames());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipv6Frames")
    void readsEveryFieldScapyWrote(final Fixture fixture)
    {
        final int l3 = fixture.intValue("ipv6.offset");
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(Frames.bufferAt(fixture.bytes(), 3), 3 + l3);

        assertEquals(6, ip.version());
        assertEquals(fixture.intValue("ipv6.version"), ip.version());
        assertEquals(fixture.intValue("ipv6.tc"), ip.trafficClass());
        assertEquals(fixture.intValue("ipv6.fl"), ip.flowLabel());
        assertEquals(fixture.intValue("ipv6.plen"), ip.payloadLength());
        assertEquals(fixture.intValue("ipv6.nh"), ip.nextHeader());
        assertEquals(fixture.intValue("ipv6.hlim"), ip.hopLimit());
        assertEquals(fixture.unsignedHex64("ipv6.src.high"), ip.sourceHigh());
        assertEquals(fixture.unsignedHex64("ipv6.src.low"), ip.sourceLow());
        assertEquals(fixture.unsignedHex64("ipv6.dst.high"), ip.destinationHigh());
        assertEquals(fixture.unsignedHex64("ipv6.dst.low"), ip.destinationLow());
    }

    @Test
    void trafficClassAndFlowLabelDoNotBleedIntoEachOther()
    {
        final Fixture fixture = Fixture.load("ipv6_tcp_syn");
        assertEquals(0x28, fixture.intValue("ipv6.tc"));
        assertEquals(0x12345, fixture.intValue("ipv6.fl"));
        final byte[] frame = fixture.bytes();
        frame[14 + 1] |= (byte)0x0F; // top bits of the flow label
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(new UnsafeBuffer(frame), 14);

        assertEquals(0x28, ip.trafficClass());
        assertEquals(0xF2345, ip.flowLabel());
    }

    @Test
    void hopLimitSetterWritesOneByte()
    {
        final byte[] frame = Fixture.frame("ipv6_icmpv6_echo");
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(new UnsafeBuffer(frame), 14);

        ip.hopLimit(255);

        assertEquals(255, ip.hopLimit());
        assertEquals(Ipv6Flyweight.NEXT_HEADER_ICMPV6, ip.nextHeader());
        assertFalse(ip.payloadLength() == 0);
    }
}
