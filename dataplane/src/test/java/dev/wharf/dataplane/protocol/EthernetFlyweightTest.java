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
import static org.junit.jupiter.api.Assertions.assertSame;

class EthernetFlyweightTest
{
    static List<Fixture> ethernetFrames()
    {
        return Fixture.having("eth.type");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ethernetFrames")
    void readsTheAddressesAndEtherTypeScapyWrote(final Fixture fixture)
    {
        for (final int offset : new int[]{0, 3, 128})
        {
            final EthernetFlyweight ethernet = new EthernetFlyweight().wrap(Frames.bufferAt(fixture.bytes(), offset), offset);
            assertEquals(fixture.mac("eth.dst"), ethernet.destination(), "destination at offset " + offset);
            assertEquals(fixture.mac("eth.src"), ethernet.source(), "source at offset " + offset);
            assertEquals(fixture.intValue("eth.type"), ethernet.etherType(), "EtherType at offset " + offset);
        }
    }

    @Test
    void settersRewriteTheRequestHeaderIntoTheHeaderScapyBuiltForTheReply()
    {
        final Fixture request = Fixture.load("arp_request_gateway");
        final Fixture reply = Fixture.load("arp_reply_gateway_expected");
        final UnsafeBuffer buffer = Frames.bufferAt(request.bytes(), 5);
        final EthernetFlyweight ethernet = new EthernetFlyweight().wrap(buffer, 5);

        final EthernetFlyweight returned = ethernet.destination(reply.mac("eth.dst")).source(reply.mac("eth.src")).etherType(0x0806);

        assertSame(ethernet, returned);
        assertArrayEquals(java.util.Arrays.copyOf(reply.bytes(), EthernetFlyweight.HEADER_LENGTH),
            Frames.bytesOf(buffer, 5, EthernetFlyweight.HEADER_LENGTH));
        assertEquals((byte)0xA5, buffer.getByte(4), "byte before the header untouched");
    }

    @Test
    void etherTypeAboveSignedShortRangeReadsUnsigned()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[14]);
        final EthernetFlyweight ethernet = new EthernetFlyweight().wrap(buffer, 0);

        ethernet.etherType(0x88A8).destination(MacAddress.BROADCAST);

        assertEquals(0x88A8, ethernet.etherType());
        assertEquals(0xFFFF_FFFF_FFFFL, ethernet.destination());
    }
}
