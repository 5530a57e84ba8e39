package dev.wharf.dataplane.offload;

/**
 * The virtio-net header's offload metadata (include/uapi/linux/virtio_net.h), packed into one
 * {@code long} per packet so it travels in {@link dev.wharf.dataplane.buffer.PacketBatch#offload}
 * without objects.
 *
 * <pre>
 * bits 56-63 flags (NEEDS_CSUM=1, DATA_VALID=2)   bits 48-55 gso type
 * bits 32-47 gso size                              bits 16-31 csum start   bits 0-15 csum offset
 * </pre>
 *
 * csum start is relative to the first byte of the Ethernet header, as in the kernel. A value of 0
 * means "no offload": a complete, checksummed, single-segment frame.
 */
public final class OffloadInfo
{
    public static final int FLAG_NEEDS_CSUM = 1;
    public static final int FLAG_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    private OffloadInfo()
    {
    }

    public static long pack(final int flags, final int gsoType, final int gsoSize, final int csumStart, final int csumOffset)
    {
        return ((long)(flags & 0xFF) << 56) | ((long)(gsoType & 0xFF) << 48) | ((long)(gsoSize & 0xFFFF) << 32) |
            ((long)(csumStart & 0xFFFF) << 16) | (csumOffset & 0xFFFF);
    }

    public static int flags(final long info)
    {
        return (int)(info >>> 56) & 0xFF;
    }

    public static int gsoType(final long info)
    {
        return (int)(info >>> 48) & 0xFF;
    }

    public static int gsoSize(final long info)
    {
        return (int)(info >>> 32) & 0xFFFF;
    }

    public static int csumStart(final long info)
    {
        return (int)(info >>> 16) & 0xFFFF;
    }

    public static int csumOffset(final long info)
    {
        return (int)info & 0xFFFF;
    }

    public static boolean needsChecksum(final long info)
    {
        return (flags(info) & FLAG_NEEDS_CSUM) != 0;
    }

    public static boolean isGso(final long info)
    {
        return (gsoType(info) & ~GSO_ECN) != GSO_NONE;
    }

    /** The same metadata after the frame start moved by {@code delta} bytes (a tag stripped: -4). */
    public static long shiftStart(final long info, final int delta)
    {
        if (!needsChecksum(info))
        {
            return info;
        }
        final int start = csumStart(info) + delta;
        return (info & ~(0xFFFFL << 16)) | ((long)(start & 0xFFFF) << 16);
    }
}
