package dev.wharf.io;

import dev.wharf.dataplane.buffer.PacketBatch;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A TPACKET_V3 receive ring: the kernel packs frames into blocks and hands a block over by setting
 * its status when the block is full or its retire timer fires; a block goes back only once every
 * frame in it was read and released.
 *
 * <p>Owned by one {@link AfPacketQueue}, used by its worker thread only.
 */
final class Tpacket3RxRing extends PacketRxRing
{
    private final int blockSize;
    private final int blockCount;
    /** Blocks whose every frame went into a batch, to give back on release, in ring order. */
    private final int[] consumed;
    private int consumedCount;
    private int block;
    private boolean blockOpen;
    private int packetsLeft;
    private int packetOffset;

    Tpacket3RxRing(final long address, final int blockSize, final int blockCount, final int vnetLength, final int mtu)
    {
        super(TpacketVersion.V3, address, blockSize * blockCount, vnetLength, mtu);
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.consumed = new int[blockCount];
    }

    @Override
    int receive(final PacketBatch batch, final int portId, final int limit)
    {
        final UnsafeBuffer ring = this.ring;
        int n = 0;
        while (n < limit && !batch.isFull())
        {
            if (!blockOpen)
            {
                final int base = block * blockSize;
                if ((TpacketBlockDescriptorFlyweight.statusVolatile(ring, base) & TpacketBlockDescriptorFlyweight.STATUS_USER) == 0)
                {
                    break;
                }
                if (consumedCount == blockCount)
                {
                    // every block waits for release; the caller must release before receiving more
                    break;
                }
                blockOpen = true;
                packetsLeft = TpacketBlockDescriptorFlyweight.packetCount(ring, base);
                packetOffset = base + TpacketBlockDescriptorFlyweight.firstPacketOffset(ring, base);
            }
            if (packetsLeft == 0)
            {
                closeBlock();
                continue;
            }
            final int header = packetOffset;
            packetOffset += Tpacket3HeaderFlyweight.nextOffset(ring, header);
            packetsLeft--;
            if (readFrame(batch, portId, header))
            {
                n++;
            }
            if (packetsLeft == 0)
            {
                closeBlock();
            }
        }
        return n;
    }

    private void closeBlock()
    {
        consumed[consumedCount++] = block;
        block = block + 1 == blockCount ? 0 : block + 1;
        blockOpen = false;
    }

    /** Gives every fully read block back to the kernel. */
    @Override
    void releaseReceived()
    {
        final UnsafeBuffer ring = this.ring;
        for (int k = 0; k < consumedCount; k++)
        {
            TpacketBlockDescriptorFlyweight.releaseToKernel(ring, consumed[k] * blockSize);
        }
        consumedCount = 0;
    }
}
