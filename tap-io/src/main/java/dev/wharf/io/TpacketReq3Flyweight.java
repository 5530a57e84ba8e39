package dev.wharf.io;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * {@code struct tpacket_req3} (include/uapi/linux/if_packet.h): the geometry of a PACKET_RX_RING or
 * PACKET_TX_RING. TPACKET_V1/V2 read only its first four fields, {@code struct tpacket_req}
 * ({@link #REQ_LENGTH} bytes). Written once on the setup path, native byte order.
 */
public final class TpacketReq3Flyweight
{
    public static final int BLOCK_SIZE_OFFSET = 0;
    public static final int BLOCK_NR_OFFSET = 4;
    public static final int FRAME_SIZE_OFFSET = 8;
    public static final int FRAME_NR_OFFSET = 12;
    public static final int RETIRE_BLK_TOV_OFFSET = 16;
    public static final int SIZEOF_PRIV_OFFSET = 20;
    public static final int FEATURE_REQ_WORD_OFFSET = 24;
    public static final int LENGTH = 28;
    /** sizeof(struct tpacket_req): what the kernel reads for TPACKET_V1 and V2. */
    public static final int REQ_LENGTH = 16;

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private MutableDirectBuffer buffer;
    private int offset;

    public TpacketReq3Flyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    public TpacketReq3Flyweight blockSize(final int bytes)
    {
        buffer.putInt(offset + BLOCK_SIZE_OFFSET, bytes, NATIVE);
        return this;
    }

    public TpacketReq3Flyweight blockCount(final int count)
    {
        buffer.putInt(offset + BLOCK_NR_OFFSET, count, NATIVE);
        return this;
    }

    public TpacketReq3Flyweight frameSize(final int bytes)
    {
        buffer.putInt(offset + FRAME_SIZE_OFFSET, bytes, NATIVE);
        return this;
    }

    public TpacketReq3Flyweight frameCount(final int count)
    {
        buffer.putInt(offset + FRAME_NR_OFFSET, count, NATIVE);
        return this;
    }

    public TpacketReq3Flyweight retireBlockTimeoutMs(final int ms)
    {
        buffer.putInt(offset + RETIRE_BLK_TOV_OFFSET, ms, NATIVE);
        return this;
    }
}
