package dev.wharf.dataplane.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4AddressTest
{
    @Test
    void parsesDottedQuadsIntoHostOrderInts()
    {
        assertEquals(0x0A000001, Ipv4Address.parse("10.0.0.1"));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals(0xFFFF_FFFF, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0xC0A8_0101, Ipv4Address.parse(" 192.168.1.1 "));
    }

    @Test
    void formatsAndParsesRoundTripIncludingNegativeInts()
    {
        assertEquals("255.255.255.255", Ipv4Address.toString(-1));
        assertEquals("128.0.0.1", Ipv4Address.toString(0x8000_0001));
        final java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            final int address = random.nextInt();
            assertEquals(address, Ipv4Address.parse(Ipv4Address.toString(address)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.1.2", "256.0.0.1", "10.0.0.-1", "-0.1.2.3", "+1.2.3.4", "10..0.1",
        "10.0.0.1.", ".10.0.0.1", "a.b.c.d", "10.0.0.0001", "10.0.0.1/24", "0x0a.0.0.1", "10.0.0. 1",
        "\u0661\u0660.0.0.1"})
    void rejectsMalformedText(final String text)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text));
        assertTrue(e.getMessage().contains("not an IPv4 address"), e.getMessage());
    }

    @Test
    void masksAndContainmentFollowThePrefixLength()
    {
        assertEquals(0, Ipv4Address.mask(0));
        assertEquals(0xFFFF_FF00, Ipv4Address.mask(24));
        assertEquals(0xFFFF_FFFF, Ipv4Address.mask(32));
        assertEquals(0x8000_0000, Ipv4Address.mask(1));
        assertTrue(Ipv4Address.contains(0x0A00_0000, 24, 0x0A00_00FF));
        assertFalse(Ipv4Address.contains(0x0A00_0000, 24, 0x0A00_0100));
        assertTrue(Ipv4Address.contains(0x0A00_0000, 0, 0xC0A8_0001));
        assertFalse(Ipv4Address.contains(0x0A00_0001, 32, 0x0A00_0002));
    }
}
