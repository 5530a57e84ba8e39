package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class VlanTagFlyweightTest
{
    @ParameterizedTest
    @ValueSource(strings = {"dot1q_vid10", "dot1q_vid20", "dot1q_priority_tag", "dot1q_vid10_dei", "qinq_double_8100",
        "icmp_echo_vlan10_gateway", "dot1q_vid10_arp_broadcast"})
    void readsTheOuterTagScapyWrote(final String name)
    {
        final Fixture fixture = Fixture.load(name);
        final VlanTagFlyweight tag = new VlanTagFlyweight().wrap(Frames.bufferAt(fixture.bytes(), 9), 9);

        final int tci = (fixture.intValue("vlan1.prio") << 13) | (fixture.intValue("vlan1.dei") << 12) | fixture.intValue("vlan1.vid");
        assertEquals(tci, tag.tci());
        assertEquals(fixture.intValue("vlan1.vid"), tag.vid());
        assertEquals(fixture.intValue("vlan1.prio"), tag.priority());
        assertEquals(fixture.intValue("vlan1.type"), tag.innerEtherType());
    }

    @Test
    void stripInPlaceLeavesTheUntaggedFrameScapyBuiltFourBytesLater()
    {
        final byte[] tagged = Fixture.frame("dot1q_vid10");
        final byte[] untagged = Fixture.frame("udp_a_to_b");
        final UnsafeBuffer buffer = new UnsafeBuffer(tagged);

        VlanTagFlyweight.stripInPlace(buffer, 0);

        assertArrayEquals(untagged, Frames.bytesOf(buffer, VlanTagFlyweight.TAG_LENGTH, tagged.length - VlanTagFlyweight.TAG_LENGTH));
    }

    @Test
    void pushInPlaceIntoHeadroomGivesTheTaggedFrameScapyBuilt()
    {
        final byte[] untagged = Fixture.frame("udp_a_to_b");
        final byte[] tagged = Fixture.frame("dot1q_vid10");
        final UnsafeBuffer buffer = Frames.bufferAt(untagged, 64);

        VlanTagFlyweight.pushInPlace(buffer, 64 - VlanTagFlyweight.TAG_LENGTH, (3 << 13) | 10);

        assertArrayEquals(tagged, Frames.bytesOf(buffer, 60, tagged.length));
        assertEquals((byte)0xA5, buffer.getByte(59), "nothing written before the new frame start");
    }

    @Test
    void stripThenPushRestoresTheFrame()
    {
        final byte[] tagged = Fixture.frame("dot1q_vid10_dei");
        final UnsafeBuffer buffer = Frames.bufferAt(tagged, 16);
        final int tci = new VlanTagFlyweight().wrap(buffer, 16).tci();

        VlanTagFlyweight.stripInPlace(buffer, 16);
        VlanTagFlyweight.pushInPlace(buffer, 16, tci);

        assertArrayEquals(tagged, Frames.bytesOf(buffer, 16, tagged.length));
    }

    @Test
    void tciSetterWritesPriorityDeiAndVid()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(Fixture.frame("dot1q_vid10"));
        final VlanTagFlyweight tag = new VlanTagFlyweight().wrap(buffer, 0);

        tag.tci((7 << 13) | (1 << 12) | 4094);

        assertEquals(4094, tag.vid());
        assertEquals(7, tag.priority());
        assertEquals(0xFFFE, Frames.u16(Frames.bytesOf(buffer, 0, 18), VlanTagFlyweight.TCI_OFFSET));
    }
}
