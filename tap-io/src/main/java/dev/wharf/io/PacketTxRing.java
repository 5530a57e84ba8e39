package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A PACKET_TX_RING of fixed-size TPACKET_V3 frames: the worker copies a frame into the next free
 * slot and marks it SEND_REQUEST; one sendto() then makes the kernel transmit every marked frame, and
 * the kernel marks each slot free again once its skb is released. Slots are used in ring order, as
 * the kernel walks them.
 *
 * <p>Owned by one {@link AfPacketQueue}, used by its worker thread only.
 */
final class PacketTxRing
{
    private final UnsafeBuffer ring;
    private final int frameSize;
    private final int framesPerBlock;
    private final int blockSize;
    private final int frameCount;
    private int head;
    private int submitted;

    PacketTxRing(final long address, final int blockSize, final int blockCount, final int frameSize)
    {
        this.ring = new UnsafeBuffer(address, blockSize * blockCount);
        this.blockSize = blockSize;
        this.frameSize = frameSize;
        this.framesPerBlock = blockSize / frameSize;
        this.frameCount = framesPerBlock * blockCount;
    }

    UnsafeBuffer buffer()
    {
        return ring;
    }

    /** Largest frame (virtio-net header included) a slot holds. */
    int maxFrameLength()
    {
        return frameSize - Tpacket3HeaderFlyweight.TX_DATA_OFFSET;
    }

    /** @return the offset in {@link #buffer()} of the next free slot's header, or -1 when the kernel still owns it. */
    int claim()
    {
        final int header = headerOffset(head);
        if ((Tpacket3HeaderFlyweight.statusVolatile(ring, header) & Tpacket3HeaderFlyweight.TX_BUSY_MASK) != 0)
        {
            return -1;
        }
        return header;
    }

    /** Hands the claimed slot at {@code header}, holding {@code length} bytes at its data offset, to the kernel. */
    void submit(final int header, final int length)
    {
        Tpacket3HeaderFlyweight.submit(ring, header, length);
        head = head + 1 == frameCount ? 0 : head + 1;
        submitted++;
    }

    /** Frames marked since the last {@link #kicked()}. */
    int submitted()
    {
        return submitted;
    }

    void kicked()
    {
        submitted = 0;
    }

    private int headerOffset(final int frame)
    {
        return (frame / framesPerBlock) * blockSize + (frame % framesPerBlock) * frameSize;
    }
}
