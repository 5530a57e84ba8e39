package dev.wharf.lb.schedule;

import java.util.Arrays;

/**
 * Build-time arithmetic shared by {@code wrr}, {@code sh} and {@code mh}: how many turns (or slots) each
 * backend gets out of a bounded total, and a smooth order for them. Runs on the control thread only.
 *
 * <p>{@link #apportion}: weights reduced by their gcd when that fits in the total allowed, otherwise the
 * total is shared out by largest remainder (Hamilton's method): each backend within one turn of its exact
 * share, every backend of positive weight keeping at least one turn when asked to.
 *
 * <p>{@link #layout}: backend {@code i}'s {@code k}-th turn sits at virtual time {@code (k + r/p) / c}, where
 * {@code c} is its count and {@code r} its rank among the {@code p} backends with turns; turns are emitted in
 * time order. Each backend's turns are evenly spaced, also across the cycle's end, and the staggered
 * phases keep backends of equal weight apart: 2:1:1 gives A B A C.
 */
final class WeightedSequence
{
    private WeightedSequence()
    {
    }

    /**
     * Turns per backend: the weights divided by their gcd if those sum to at most {@code cap}, else
     * {@code cap} turns shared out by weight ({@code exactTotal}: always {@code cap} turns shared out).
     *
     * @param atLeastOne every positive weight gets a turn even if its share rounds to 0 (the caller
     *                   makes sure {@code cap} is at least the number of positive weights).
     */
    static int[] apportion(final int[] weights, final int cap, final boolean exactTotal, final boolean atLeastOne)
    {
        final int n = weights.length;
        long sum = 0;
        int gcd = 0;
        int positive = 0;
        for (final int w : weights)
        {
            if (w > 0)
            {
                sum += w;
                gcd = gcd(gcd, w);
                positive++;
            }
        }
        final int[] counts = new int[n];
        if (positive == 0)
        {
            return counts;
        }
        if (!exactTotal && sum / gcd <= cap)
        {
            for (int i = 0; i < n; i++)
            {
                counts[i] = weights[i] / gcd;
            }
            return counts;
        }
        // Hamilton: floor of each exact share, the turns left over to the largest remainders (lower index on ties)
        final long[] remainders = new long[positive];
        int given = 0;
        int r = 0;
        for (int i = 0; i < n; i++)
        {
            if (weights[i] > 0)
            {
                final long share = (long)weights[i] * cap;
                counts[i] = (int)(share / sum);
                given += counts[i];
                // sum < 2^32 (65,535 backends of weight 65,535): remainder and inverted index fit in a long
                remainders[r++] = ((share % sum) << 16) | (0xFFFF - i);
            }
        }
        Arrays.sort(remainders);
        for (int k = positive - 1; given < cap; k--)
        {
            counts[0xFFFF - (int)(remainders[k] & 0xFFFF)]++;
            given++;
        }
        if (atLeastOne)
        {
            for (int i = 0; i < n; i++)
            {
                if (weights[i] > 0 && counts[i] == 0)
                {
                    counts[i] = 1;
                    counts[largest(counts)]--;
                }
            }
        }
        return counts;
    }

    /** The turns of {@link #apportion}'s counts in smooth order: backend indices, {@code sum(counts)} of them. */
    static int[] layout(final int[] counts)
    {
        final int n = counts.length;
        int total = 0;
        int positive = 0;
        for (final int c : counts)
        {
            total += c;
            positive += c > 0 ? 1 : 0;
        }
        final int[] sequence = new int[total];
        // a binary min-heap of backends by the virtual time of their next turn, ties to the lower index
        final int[] heap = new int[positive];
        final double[] next = new double[n];
        final double[] phase = new double[n];
        final int[] emitted = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++)
        {
            if (counts[i] > 0)
            {
                phase[i] = (double)size / positive;
                next[i] = phase[i] / counts[i];
                heap[size] = i;
                siftUp(heap, size, next);
                size++;
            }
        }
        for (int t = 0; t < total; t++)
        {
            final int i = heap[0];
            sequence[t] = i;
            emitted[i]++;
            if (emitted[i] == counts[i])
            {
                heap[0] = heap[--size];
            }
            else
            {
                next[i] = (emitted[i] + phase[i]) / counts[i];
            }
            siftDown(heap, size, next);
        }
        return sequence;
    }

    static int gcd(final int a, final int b)
    {
        int x = a;
        int y = b;
        while (y != 0)
        {
            final int t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    private static int largest(final int[] counts)
    {
        int best = 0;
        for (int i = 1; i < counts.length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }
        return best;
    }

    private static boolean before(final int a, final int b, final double[] next)
    {
        return next[a] < next[b] || (next[a] == next[b] && a < b);
    }

    private static void siftUp(final int[] heap, final int at, final double[] next)
    {
        int child = at;
        final int item = heap[child];
        while (child > 0)
        {
            final int parent = (child - 1) >>> 1;
            if (!before(item, heap[parent], next))
            {
                break;
            }
            heap[child] = heap[parent];
            child = parent;
        }
        heap[child] = item;
    }

    private static void siftDown(final int[] heap, final int size, final double[] next)
    {
        if (size == 0)
        {
            return;
        }
        int parent = 0;
        final int item = heap[0];
        while (true)
        {
            int child = 2 * parent + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child], next))
            {
                child++;
            }
            if (!before(heap[child], item, next))
            {
                break;
            }
            heap[parent] = heap[child];
            parent = child;
        }
        heap[parent] = item;
    }
}
