package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UdpFlyweightTest
{
    static List<Fixture> udpFrames()
    {
        return Fixture.having("udp.sport");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("udpFrames")
    void readsEveryFieldScapyWrote(final Fixture fixture)
    {
        final int l4 = fixture.intValue("udp.offset");
        final UdpFlyweight udp = new UdpFlyweight().wrap(Frames.bufferAt(fixture.bytes(), 6), 6 + l4);

        assertEquals(fixture.intValue("udp.sport"), udp.sourcePort());
        assertEquals(fixture.intValue("udp.dport"), udp.destinationPort());
        assertEquals(fixture.intValue("udp.len"), udp.length());
        assertEquals(fixture.intValue("udp.chksum"), udp.checksum());
    }

    @Test
    void settersRoundTripInNetworkOrder()
    {
        final byte[] frame = Fixture.frame("udp_a_to_b");
        final UdpFlyweight udp = new UdpFlyweight().wrap(new UnsafeBuffer(frame), 34);

        udp.sourcePort(53).destinationPort(40000).length(9).checksum(0xFFFF);

        assertEquals(53, udp.sourcePort());
        assertEquals(40000, udp.destinationPort());
        assertEquals(9, udp.length());
        assertEquals(0xFFFF, udp.checksum());
        assertEquals(40000, Frames.u16(frame, 36));
    }
}
