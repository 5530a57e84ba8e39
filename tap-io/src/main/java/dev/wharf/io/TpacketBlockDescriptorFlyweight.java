package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code struct tpacket_block_desc} with its {@code tpacket_hdr_v1} (if_packet.h): the header of one
 * TPACKET_V3 receive block. The block belongs to user space while {@code block_status} has
 * {@link #STATUS_USER}; writing {@link #STATUS_KERNEL} gives it back. Static accessors over the ring
 * buffer, for the receiving worker's hot path.
 */
public final class TpacketBlockDescriptorFlyweight
{
    public static final int VERSION_OFFSET = 0;
    public static final int OFFSET_TO_PRIV_OFFSET = 4;
    public static final int BLOCK_STATUS_OFFSET = 8;
    public static final int NUM_PKTS_OFFSET = 12;
    public static final int OFFSET_TO_FIRST_PKT_OFFSET = 16;
    public static final int BLK_LEN_OFFSET = 20;
    public static final int SEQ_NUM_OFFSET = 24;
    public static final int LENGTH = 48;

    public static final int STATUS_KERNEL = 0;
    public static final int STATUS_USER = 1;

    private TpacketBlockDescriptorFlyweight()
    {
    }

    /** Volatile: the kernel hands the block over by writing this word last. */
    public static int statusVolatile(final UnsafeBuffer ring, final int block)
    {
        return ring.getIntVolatile(block + BLOCK_STATUS_OFFSET);
    }

    /** Release write: every read of the block's frames happens before the kernel may refill it. */
    public static void releaseToKernel(final UnsafeBuffer ring, final int block)
    {
        ring.putIntRelease(block + BLOCK_STATUS_OFFSET, STATUS_KERNEL);
    }

    public static int packetCount(final UnsafeBuffer ring, final int block)
    {
        return ring.getInt(block + NUM_PKTS_OFFSET);
    }

    public static int firstPacketOffset(final UnsafeBuffer ring, final int block)
    {
        return ring.getInt(block + OFFSET_TO_FIRST_PKT_OFFSET);
    }
}
