package dev.wharf.control.server;

import dev.wharf.dataplane.protocol.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayMacsTest
{
    @Test
    void isLocallyAdministeredUnicastUnderTheWharfPrefix()
    {
        final long mac = GatewayMacs.derive("front", Set.of());
        assertEquals(GatewayMacs.PREFIX, mac & 0xFFFF_FF00_0000L);
        assertTrue((mac & 0x0200_0000_0000L) != 0, "locally administered");
        assertFalse(MacAddress.isMulticast(mac));
    }

    @Test
    void isStableForANameAndStepsPastACollision()
    {
        final long front = GatewayMacs.derive("front", Set.of());
        assertEquals(front, GatewayMacs.derive("front", Set.of()));
        assertNotEquals(front, GatewayMacs.derive("back", Set.of()));
        assertEquals(front + 1, GatewayMacs.derive("front", Set.of(front)));
    }
}
