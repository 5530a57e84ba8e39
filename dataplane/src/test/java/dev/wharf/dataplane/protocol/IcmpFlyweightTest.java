package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcmpFlyweightTest
{
    static List<Fixture> icmpFrames()
    {
        return Fixture.having("icmp.type").stream().filter(f -> f.intValue("ip.ihl") >= 20).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("icmpFrames")
    void readsEveryFieldAndChecksumVerdictScapyWrote(final Fixture fixture)
    {
        final int l4 = fixture.intValue("icmp.offset");
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(Frames.bufferAt(fixture.bytes(), 5), 5 + l4);

        assertEquals(fixture.intValue("icmp.type"), icmp.type());
        assertEquals(fixture.intValue("icmp.code"), icmp.code());
        assertEquals(fixture.intValue("icmp.chksum"), icmp.checksum());
        if (fixture.has("icmp.id"))
        {
            assertEquals(fixture.intValue("icmp.id"), icmp.identifier());
            assertEquals(fixture.intValue("icmp.seq"), icmp.sequence());
        }
        assertEquals(fixture.bool("icmp.chksum_valid"), icmp.isChecksumValid(fixture.intValue("icmp.length")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("icmpFrames")
    void updateChecksumComputesScapysValue(final Fixture fixture)
    {
        final int length = fixture.intValue("icmp.length");
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(new UnsafeBuffer(fixture.bytes()), fixture.intValue("icmp.offset"));

        icmp.checksum(0x5A5A).updateChecksum(length);

        assertTrue(icmp.isChecksumValid(length));
        if (fixture.bool("icmp.chksum_valid"))
        {
            assertEquals(fixture.intValue("icmp.chksum"), icmp.checksum());
        }
    }

    @Test
    void typeChangeWithUpdateChecksumGivesTheReplyScapyBuilt()
    {
        final Fixture request = Fixture.load("icmp_echo_gateway_56");
        final Fixture reply = Fixture.load("icmp_echo_gateway_56_expected_reply");
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(new UnsafeBuffer(request.bytes()), request.intValue("icmp.offset"));

        icmp.type(IcmpFlyweight.TYPE_ECHO_REPLY).code(0).updateChecksum(request.intValue("icmp.length"));

        assertEquals(reply.intValue("icmp.type"), icmp.type());
        assertEquals(reply.intValue("icmp.chksum"), icmp.checksum());
    }
}
