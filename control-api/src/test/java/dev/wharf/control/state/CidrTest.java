package dev.wharf.control.state;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTest
{
    private static final Cidr FRONT = new Cidr(0x0A0A_0000, 24);

    @Test
    void knowsItsAddresses()
    {
        assertEquals(0x0A0A_0001, FRONT.firstHost());
        assertEquals(0x0A0A_00FF, FRONT.broadcast());
        assertTrue(FRONT.contains(0x0A0A_0042));
        assertFalse(FRONT.contains(0x0A14_0001));
        assertEquals("10.10.0.0/24", FRONT.toString());
    }

    @Test
    void overlapsWhenOneContainsTheOther()
    {
        assertTrue(FRONT.overlaps(new Cidr(0x0A00_0000, 8)));
        assertTrue(new Cidr(0x0A00_0000, 8).overlaps(FRONT));
        assertTrue(FRONT.overlaps(new Cidr(0x0A0A_0080, 25)));
        assertFalse(FRONT.overlaps(new Cidr(0x0A0A_0100, 24)));
    }

    @Test
    void refusesHostBits()
    {
        assertThrows(IllegalArgumentException.class, () -> new Cidr(0x0A0A_0005, 24));
    }
}
