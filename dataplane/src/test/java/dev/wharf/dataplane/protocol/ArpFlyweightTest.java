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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpFlyweightTest
{
    static List<Fixture> arpFrames()
    {
        return Fixture.having("arp.op");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arpFrames")
    void readsEveryFieldScapyWrote(final Fixture fixture)
    {
        final ArpFlyweight arp = new ArpFlyweight().wrap(new UnsafeBuffer(fixture.bytes()), fixture.intValue("arp.offset"));

        assertEquals(fixture.intValue("arp.op"), arp.operation());
        assertEquals(fixture.mac("arp.hwsrc"), arp.senderMac());
        assertEquals(fixture.ipv4("arp.psrc"), arp.senderIp());
        assertEquals(fixture.mac("arp.hwdst"), arp.targetMac());
        assertEquals(fixture.ipv4("arp.pdst"), arp.targetIp());
        final boolean ethernetIpv4 = fixture.intValue("arp.hwtype") == 1 && fixture.intValue("arp.ptype") == 0x0800 &&
            fixture.intValue("arp.hwlen") == 6 && fixture.intValue("arp.plen") == 4;
        assertEquals(ethernetIpv4, arp.isEthernetIpv4());
    }

    @Test
    void nonEthernetHardwareIsNotEthernetIpv4()
    {
        final Fixture fixture = Fixture.load("arp_non_ethernet_to_gateway");
        assertEquals(6, fixture.intValue("arp.hwtype"));
        assertFalse(new ArpFlyweight().wrap(new UnsafeBuffer(fixture.bytes()), 14).isEthernetIpv4());
    }

    @Test
    void wrongAddressLengthsAreNotEthernetIpv4()
    {
        final byte[] frame = Fixture.frame("arp_request_gateway");
        final ArpFlyweight arp = new ArpFlyweight().wrap(new UnsafeBuffer(frame), 14);
        assertTrue(arp.isEthernetIpv4());

        frame[14 + ArpFlyweight.PROTOCOL_LENGTH_OFFSET] = 16;
        assertFalse(arp.isEthernetIpv4(), "protocol length 16");

        frame[14 + ArpFlyweight.PROTOCOL_LENGTH_OFFSET] = 4;
        frame[14 + ArpFlyweight.HARDWARE_LENGTH_OFFSET] = 8;
        assertFalse(arp.isEthernetIpv4(), "hardware length 8");

        frame[14 + ArpFlyweight.HARDWARE_LENGTH_OFFSET] = 6;
        frame[14 + ArpFlyweight.PROTOCOL_TYPE_OFFSET] = (byte)0x86;
        frame[14 + ArpFlyweight.PROTOCOL_TYPE_OFFSET + 1] = (byte)0xDD;
        assertFalse(arp.isEthernetIpv4(), "protocol type IPv6");
    }

    @Test
    void settersTurnTheRequestIntoTheReplyScapyBuilt()
    {
        final Fixture request = Fixture.load("arp_request_gateway");
        final Fixture reply = Fixture.load("arp_reply_gateway_expected");
        final UnsafeBuffer buffer = Frames.bufferAt(request.bytes(), 11);
        final ArpFlyweight arp = new ArpFlyweight().wrap(buffer, 11 + 14);

        arp.operation(ArpFlyweight.OP_REPLY)
            .targetMac(arp.senderMac())
            .targetIp(arp.senderIp())
            .senderMac(reply.mac("arp.hwsrc"))
            .senderIp(reply.ipv4("arp.psrc"));

        assertArrayEquals(java.util.Arrays.copyOfRange(reply.bytes(), 14, 42), Frames.bytesOf(buffer, 25, ArpFlyweight.LENGTH));
    }
}
