package dev.wharf.dataplane.offload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffloadInfoTest
{
    @Test
    void packedFieldsReadBackIncludingTheirMaximums()
    {
        final long info = OffloadInfo.pack(0xFF, 0xFF, 0xFFFF, 0xFFFF, 0xFFFF);

        assertEquals(0xFF, OffloadInfo.flags(info));
        assertEquals(0xFF, OffloadInfo.gsoType(info));
        assertEquals(0xFFFF, OffloadInfo.gsoSize(info));
        assertEquals(0xFFFF, OffloadInfo.csumStart(info));
        assertEquals(0xFFFF, OffloadInfo.csumOffset(info));
        final long tcp = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV4, 1448, 34, 16);
        assertEquals(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.flags(tcp));
        assertEquals(OffloadInfo.GSO_TCPV4, OffloadInfo.gsoType(tcp));
        assertEquals(1448, OffloadInfo.gsoSize(tcp));
        assertEquals(34, OffloadInfo.csumStart(tcp));
        assertEquals(16, OffloadInfo.csumOffset(tcp));
    }

    @Test
    void zeroMeansNoOffloadAndTheEcnBitAloneIsNotGso()
    {
        assertFalse(OffloadInfo.isGso(0));
        assertFalse(OffloadInfo.needsChecksum(0));
        assertFalse(OffloadInfo.isGso(OffloadInfo.pack(0, OffloadInfo.GSO_ECN, 0, 0, 0)));
        assertTrue(OffloadInfo.isGso(OffloadInfo.pack(0, OffloadInfo.GSO_TCPV6 | OffloadInfo.GSO_ECN, 1400, 0, 0)));
    }

    @Test
    void shiftingTheStartMovesOnlyAPartialChecksumStart()
    {
        final long partial = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_UDP_L4, 1472, 38, 6);
        final long shifted = OffloadInfo.shiftStart(partial, -4);

        assertEquals(34, OffloadInfo.csumStart(shifted));
        assertEquals(partial & ~(0xFFFFL << 16), shifted & ~(0xFFFFL << 16), "every other field unchanged");
        final long complete = OffloadInfo.pack(OffloadInfo.FLAG_DATA_VALID, 0, 0, 38, 6);
        assertEquals(complete, OffloadInfo.shiftStart(complete, -4));
    }
}
