package dev.wharf.dataplane.buffer;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BufferPoolTest
{
    @Test
    void slotsAreAlignedDistinctKeepTheirHeadroomAndCloseFreesTheMemory()
    {
        final BufferPool pool = new BufferPool(8, 1500, BufferPool.DEFAULT_HEADROOM);
        final Set<Long> addresses = new HashSet<>();
        for (int i = 0; i < 8; i++)
        {
            final int slot = pool.acquire();
            final long address = pool.dataAddress(slot);
            assertEquals(0, (address - pool.headroom()) % 64, "slot start is cache-line aligned");
            assertTrue(addresses.add(address));
            assertTrue(pool.dataCapacity() >= 1500);
        }
        assertEquals(-1, pool.acquire(), "exhausted");
        pool.release(3);
        assertEquals(3, pool.acquire());
        assertDoesNotThrow(pool::close);
    }

    @Test
    void rejectsNonsenseSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(0, 1500, 0));
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(1, 10, -1));
    }
}
