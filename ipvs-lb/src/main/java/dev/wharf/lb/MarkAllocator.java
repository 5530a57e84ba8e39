package dev.wharf.lb;

import java.util.BitSet;

/** Hands out the marks 1..max, lowest free first. Control thread only. */
final class MarkAllocator
{
    private final BitSet used = new BitSet();
    private final int max;

    MarkAllocator(final int max)
    {
        this.max = max;
        used.set(0);
    }

    /** @return a free mark, or 0 when all are taken. */
    int allocate()
    {
        final int mark = used.nextClearBit(1);
        if (mark > max)
        {
            return 0;
        }
        used.set(mark);
        return mark;
    }

    void free(final int mark)
    {
        used.clear(mark);
    }
}
