package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacAddressTest
{
    @Test
    void parsesColonAndDashFormsInEitherCase()
    {
        assertEquals(0x02420A000001L, MacAddress.parse("02:42:0a:00:00:01"));
        assertEquals(0x02420A000001L, MacAddress.parse("02-42-0A-00-00-01"));
        assertEquals(0xFFFF_FFFF_FFFFL, MacAddress.parse(" FF:ff:FF:ff:FF:ff "));
        assertEquals(0x0A0B0C0D0E0FL, MacAddress.parse("a:b:c:d:e:f"));
        assertEquals(0L, MacAddress.parse("00:00:00:00:00:00"));
    }

    @Test
    void formatsLowerCaseWithTwoDigitsPerOctet()
    {
        assertEquals("02:42:0a:00:00:01", MacAddress.toString(0x02420A000001L));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.toString(MacAddress.BROADCAST));
        assertEquals("00:00:00:00:00:00", MacAddress.toString(0));
    }

    @Test
    void formatAndParseRoundTripForRandomAddresses()
    {
        final java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++)
        {
            final long mac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            assertEquals(mac, MacAddress.parse(MacAddress.toString(mac)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:42:0a:00:00", "02:42:0a:00:00:01:02", "02:42:0a:00:00:0g", "002:42:0a:00:00:01",
        "02::0a:00:00:01:02", "02:42:0a:00:00:01:", ":02:42:0a:00:00:01", "02:42:0a:00:00:01::", "+2:42:0a:00:00:01",
        "02:42:0a:00:00: 1", "0x02:42:0a:00:00", "02.42.0a.00.00.01", "hello",
        "\u0660\u0662:42:0a:00:00:01", "\uFF21\uFF22:42:0a:00:00:01"})
    void rejectsMalformedText(final String text)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(e.getMessage().contains("not a MAC address"), e.getMessage());
    }

    @Test
    void readsAndWritesSixBytesInNetworkOrderAsScapyLaysThemOut()
    {
        final Fixture fixture = Fixture.load("arp_request_gateway");
        final byte[] frame = fixture.bytes();
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        assertEquals(fixture.mac("eth.src"), MacAddress.read(buffer, 6));
        assertEquals(fixture.mac("arp.hwsrc"), MacAddress.read(buffer, 22));

        final byte[] copy = new byte[20];
        MacAddress.write(new UnsafeBuffer(copy), 7, fixture.mac("eth.src"));

        assertArrayEquals(java.util.Arrays.copyOfRange(frame, 6, 12), java.util.Arrays.copyOfRange(copy, 7, 13));
        assertEquals(0, copy[6]);
        assertEquals(0, copy[13]);
    }

    @Test
    void multicastIsTheGroupBitOfTheFirstOctet()
    {
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(0x01005E0000FBL));
        assertTrue(MacAddress.isMulticast(0x3333FF000003L));
        assertTrue(MacAddress.isMulticast(0x0180C2000000L));
        assertFalse(MacAddress.isMulticast(0x02420A000001L));
        assertFalse(MacAddress.isMulticast(0xFEFF_FFFF_FFFFL));
        assertTrue(MacAddress.isBroadcast(0xFFFF_FFFF_FFFFL));
        assertFalse(MacAddress.isBroadcast(0xFFFF_FFFF_FFFEL));
    }
}
