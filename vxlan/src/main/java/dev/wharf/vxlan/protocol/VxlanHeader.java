package dev.wharf.vxlan.protocol;

import org.agrona.UnsafeApi;

/**
 * The VXLAN header (RFC 7348, section 5): flags (the I bit says the VNI is valid), 24 reserved bits,
 * the 24-bit VNI and 8 reserved bits, in front of the inner Ethernet frame in a UDP datagram. Read and
 * written at an address, with no state (the frame is off-heap).
 * <pre>
 * |R|R|R|R|I|R|R|R|  reserved (24)  |   VNI (24)   | reserved (8) |
 * </pre>
 * Reserved bits are sent as zero and ignored on receive, as the RFC asks.
 */
public final class VxlanHeader
{
    public static final int LENGTH = 8;
    public static final int FLAG_VNI_VALID = 0x08;
    /** {@link #vniOf}: the I flag is clear. */
    public static final int NO_VNI_FLAG = -1;

    private VxlanHeader()
    {
    }

    /** Writes the header for {@code vni} at {@code address}. */
    public static void write(final long address, final int vni)
    {
        // flags then reserved, in one big-endian int; the VNI shifted over the last reserved byte
        UnsafeApi.putInt(address, Integer.reverseBytes(FLAG_VNI_VALID << 24));
        UnsafeApi.putInt(address + 4, Integer.reverseBytes(vni << 8));
    }

    /** The VNI of the header at {@code address} (which holds at least {@link #LENGTH} bytes), or {@link #NO_VNI_FLAG}. */
    public static int vniOf(final long address)
    {
        if ((UnsafeApi.getByte(address) & FLAG_VNI_VALID) == 0)
        {
            return NO_VNI_FLAG;
        }
        return Integer.reverseBytes(UnsafeApi.getInt(address + 4)) >>> 8;
    }
}
