package dev.wharf.dataplane.buffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketBatchTest
{
    @Test
    void addResetsEveryMetadataFieldLeftByTheLastBatch()
    {
        final PacketBatch batch = new PacketBatch();
        batch.add(1, 2, 3, 4);
        batch.outPort[0] = 9;
        batch.network[0] = 9;
        batch.vlan[0] = 9;
        batch.l3Offset[0] = 9;
        batch.l4Offset[0] = 9;
        batch.flags[0] = 9;
        batch.next[0] = 9;
        batch.dropReason[0] = 9;
        batch.offload[0] = 9;
        batch.clear();

        final int i = batch.add(1000, 60, 128, 7);

        assertEquals(0, i);
        assertEquals(1, batch.size());
        assertEquals(1000, batch.address[0]);
        assertEquals(60, batch.length[0]);
        assertEquals(128, batch.headroom[0]);
        assertEquals(7, batch.inPort[0]);
        assertEquals(-1, batch.outPort[0]);
        assertEquals(-1, batch.network[0]);
        assertEquals(0, batch.vlan[0] + batch.l3Offset[0] + batch.l4Offset[0] + batch.flags[0] + batch.next[0] + batch.dropReason[0]);
        assertEquals(0, batch.offload[0]);
    }

    @Test
    void isFullAtCapacity()
    {
        final PacketBatch batch = new PacketBatch();
        for (int i = 0; i < PacketBatch.CAPACITY - 1; i++)
        {
            batch.add(0, 0, 0, 0);
        }
        assertFalse(batch.isFull());
        batch.add(0, 0, 0, 0);
        assertTrue(batch.isFull());
    }

    @Test
    void adjustStartMovesAddressLengthAndHeadroomTogetherAndFrameFollows()
    {
        try (BufferPool pool = new BufferPool(1, 256, 64))
        {
            final int slot = pool.acquire();
            final UnsafeBuffer slotView = new UnsafeBuffer(pool.dataAddress(slot) - 64, 64 + 256);
            for (int b = 0; b < 64 + 256; b++)
            {
                slotView.putByte(b, (byte)b);
            }
            final PacketBatch batch = new PacketBatch();
            batch.add(pool.dataAddress(slot), 100, 64, 0);

            batch.adjustStart(0, 4);
            assertEquals(96, batch.length[0]);
            assertEquals(68, batch.headroom[0]);
            assertEquals((byte)(64 + 4), batch.frame(0).getByte(0));
            assertEquals(96, batch.frame(0).capacity());

            batch.adjustStart(0, -12);
            assertEquals(108, batch.length[0]);
            assertEquals(56, batch.headroom[0]);
            assertEquals((byte)(64 - 8), batch.frame(0).getByte(0));
        }
    }
}
