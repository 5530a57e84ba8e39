package dev.wharf.io;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A PACKET_TX_RING of fixed-size frames (TPACKET_V2 or V3 headers, as the socket's version): the
 * worker copies a frame into the next free slot and marks it SEND_REQUEST; one sendto() then makes
 * the kernel transmit every marked frame, in ring order from where it stopped last.
 *
 * <p>The kernel builds each skb over the slot's own pages and marks the slot AVAILABLE only from the
 * skb's destructor, so a slot is written only after its status says the kernel let go of it (a
 * receiver that keeps the data longer, such as a socket queue in another namespace, gets a copy first:
 * skb_orphan_frags). Slots are claimed strictly in ring order, because the kernel walks them in that
 * order and stops at the first one not marked.
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
    private final int dataOffset;
    private final int statusOffset;
    private final int lengthOffset;
    private final int snapLengthOffset;
    private int head;
    private int submitted;
    private int lastSubmitted = -1;

    PacketTxRing(final TpacketVersion version, final long address, final int blockSize, final int blockCount, final int frameSize)
    {
        this.ring = new UnsafeBuffer(address, blockSize * blockCount);
        this.blockSize = blockSize;
        this.frameSize = frameSize;
        this.framesPerBlock = blockSize / frameSize;
        this.frameCount = framesPerBlock * blockCount;
        // V3 transmit frames also carry tp_next_offset, which must stay 0: the ring pages come zeroed and nobody writes it
        this.dataOffset = version.txDataOffset;
        this.statusOffset = version.statusOffset;
        this.lengthOffset = version.lengthOffset;
        this.snapLengthOffset = version.snapLengthOffset;
    }

    UnsafeBuffer buffer()
    {
        return ring;
    }

    /** Largest frame (virtio-net header included) a slot holds. */
    int maxFrameLength()
    {
        return frameSize - dataOffset;
    }

    /**
     * The next slot, if the kernel is done with it; claiming changes nothing, so a claimed slot that is
     * never submitted is simply claimed again by the next send.
     *
     * @return the offset in {@link #buffer()} where the frame goes, or -1 while the kernel still owns the slot.
     */
    int claim()
    {
        final int header = headerOffset(head);
        // acquire: the kernel's last use of the slot happens before our writes into it
        if ((ring.getIntVolatile(header + statusOffset) & TpacketStatus.TX_BUSY_MASK) != 0)
        {
            return -1;
        }
        return header + dataOffset;
    }

    /** Hands the claimed slot whose frame, {@code length} bytes, starts at {@code data} to the kernel. */
    void submit(final int data, final int length)
    {
        final int header = data - dataOffset;
        ring.putInt(header + lengthOffset, length);
        ring.putInt(header + snapLengthOffset, length);
        // release: the frame and its lengths are visible before the kernel can see the request
        ring.putIntRelease(header + statusOffset, TpacketStatus.TP_STATUS_SEND_REQUEST);
        head = head + 1 == frameCount ? 0 : head + 1;
        lastSubmitted = header;
        submitted++;
    }

    /** Frames marked since the last kick that the kernel may not have taken yet. */
    int submitted()
    {
        return submitted;
    }

    /**
     * After a sendto(): the kernel takes marked frames in order and returns, so if the last one marked
     * is still SEND_REQUEST it stopped early (no memory for an skb, link down) and the rest must be kicked
     * again later; otherwise nothing is left to kick.
     */
    void kicked()
    {
        submitted = lastSubmitted >= 0 &&
            (ring.getIntVolatile(lastSubmitted + statusOffset) & TpacketStatus.TX_BUSY_MASK) == TpacketStatus.TP_STATUS_SEND_REQUEST ?
            1 : 0;
    }

    private int headerOffset(final int frame)
    {
        return (frame / framesPerBlock) * blockSize + (frame % framesPerBlock) * frameSize;
    }
}
