package dev.wharf.io;

import dev.wharf.dataplane.buffer.PacketBatch;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A TPACKET_V2 receive ring: fixed-size frames, each large enough for a GSO super-frame, that the
 * kernel fills in ring order and hands over one by one through the frame's status word, waking poll(2)
 * for each. Frames read into a batch stay user-owned until {@link #releaseReceived()}; they are given
 * back in the order they were taken, which is the order the kernel fills them.
 *
 * <p>Owned by one {@link AfPacketQueue}, used by its worker thread only.
 */
final class Tpacket2RxRing extends PacketRxRing
{
    /** Ring offset of each frame's header: frames never straddle blocks, so a block may end in a gap. */
    private final int[] headers;
    /** The next frame the kernel hands over. */
    private int next;
    /** Frames taken since the last release, starting at {@link #firstHeld}. */
    private int held;
    private int firstHeld;

    Tpacket2RxRing(
        final long address, final int blockSize, final int blockCount, final int frameSize, final int vnetLength, final int mtu)
    {
        super(TpacketVersion.V2, address, blockSize * blockCount, vnetLength, mtu);
        final int framesPerBlock = blockSize / frameSize;
        this.headers = new int[framesPerBlock * blockCount];
        for (int frame = 0; frame < headers.length; frame++)
        {
            headers[frame] = (frame / framesPerBlock) * blockSize + (frame % framesPerBlock) * frameSize;
        }
    }

    @Override
    int receive(final PacketBatch batch, final int portId, final int limit)
    {
        final UnsafeBuffer ring = this.ring;
        final int[] headers = this.headers;
        int n = 0;
        while (n < limit && !batch.isFull() && held < headers.length)
        {
            final int header = headers[next];
            if ((Tpacket2HeaderFlyweight.statusVolatile(ring, header) & TpacketStatus.TP_STATUS_USER) == 0)
            {
                break;
            }
            next = next + 1 == headers.length ? 0 : next + 1;
            held++;
            if (readFrame(batch, portId, header))
            {
                n++;
            }
        }
        return n;
    }

    @Override
    void releaseReceived()
    {
        final UnsafeBuffer ring = this.ring;
        final int[] headers = this.headers;
        int frame = firstHeld;
        for (int k = 0; k < held; k++)
        {
            Tpacket2HeaderFlyweight.releaseToKernel(ring, headers[frame]);
            frame = frame + 1 == headers.length ? 0 : frame + 1;
        }
        firstHeld = frame;
        held = 0;
    }

    int frameCount()
    {
        return headers.length;
    }
}
