package dev.wharf.lb.schedule;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WeightedSequenceTest
{
    @Test
    void weightsAreReducedByTheirGcdWhenThatFits()
    {
        assertArrayEquals(new int[]{2, 0, 1, 1}, WeightedSequence.apportion(new int[]{600, 0, 300, 300}, 100, false, true));
        assertArrayEquals(new int[]{1}, WeightedSequence.apportion(new int[]{65_535}, 100, false, true));
        assertArrayEquals(new int[]{0, 0}, WeightedSequence.apportion(new int[]{0, 0}, 100, true, true));
    }

    @Test
    void anExactTotalIsSharedByLargestRemainderTiesToTheLowerIndex()
    {
        // 101 turns over 1:1:1: 33.67 each, the two largest remainders (equal) to the first two
        assertArrayEquals(new int[]{34, 34, 33}, WeightedSequence.apportion(new int[]{1, 1, 1}, 101, true, true));
        // 10 * 5/8 = 6.25, 10 * 2/8 = 2.5, 10 * 1/8 = 1.25
        assertArrayEquals(new int[]{6, 3, 1}, WeightedSequence.apportion(new int[]{5, 2, 1}, 10, true, true));
    }

    @Test
    void everyPositiveWeightKeepsATurnOnlyWhenAsked()
    {
        assertArrayEquals(new int[]{100, 1}, WeightedSequence.apportion(new int[]{65_535, 1}, 101, true, true));
        assertArrayEquals(new int[]{101, 0}, WeightedSequence.apportion(new int[]{65_535, 1}, 101, true, false));
    }

    @Test
    void theLayoutInterleavesAndEmitsEveryTurn()
    {
        assertArrayEquals(new int[]{0, 1, 0, 2}, WeightedSequence.layout(new int[]{2, 1, 1}));
        assertArrayEquals(new int[]{0, 2, 0, 2, 0, 3}, WeightedSequence.layout(new int[]{3, 0, 2, 1}));
        assertArrayEquals(new int[]{0, 1, 2, 0, 1, 2}, WeightedSequence.layout(new int[]{2, 2, 2}));
        assertEquals(0, WeightedSequence.layout(new int[]{0, 0}).length);
    }

    @Test
    void everyPrefixGivesEachItsShareWithinOneTurn()
    {
        final SplittableRandom random = new SplittableRandom(1980);
        for (int round = 0; round < 300; round++)
        {
            final int[] counts = new int[1 + random.nextInt(12)];
            for (int i = 0; i < counts.length; i++)
            {
                counts[i] = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(round < 150 ? 10 : 400);
            }
            final int[] sequence = WeightedSequence.layout(counts);
            final long total = sequence.length;
            final int[] seen = new int[counts.length];
            for (int t = 0; t < sequence.length; t++)
            {
                seen[sequence[t]]++;
                for (int i = 0; i < counts.length; i++)
                {
                    // |seen - (t + 1) * c / S| < 1, in integers
                    final long deviation = Math.abs(seen[i] * total - (t + 1L) * counts[i]);
                    if (deviation >= total)
                    {
                        throw new AssertionError(Arrays.toString(counts) + ": backend " + i + " has " + seen[i] +
                            " turns of the first " + (t + 1));
                    }
                }
            }
            assertArrayEquals(counts, seen);
        }
    }
}
