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
 * <p>{@link #layout}: the turns of a cycle in an order where every prefix gives each backend its share
 * within one turn ({@code |count_i(t) - t * c_i / S| < 1}), the chairman-assignment bound (Tijdeman), met
 * by earliest deadline first: 2:1:1 gives A B A C, 3:2:1 A B A B A C, equal counts plain rotation.
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

    /**
     * The turns of {@link #apportion}'s counts in smooth order: backend indices, {@code sum(counts)} of them.
     * Earliest deadline first over a cycle of S turns: backend {@code i}'s {@code k}-th turn is released at
     * {@code k * S / c_i} and due by {@code (k + 1) * S / c_i}; each slot goes to the released turn due
     * first, the lower index on a tie. All in exact integer arithmetic.
     */
    static int[] layout(final int[] counts)
    {
        final int n = counts.length;
        long sum = 0;
        for (final int c : counts)
        {
            sum += c;
        }
        final int total = Math.toIntExact(sum);
        final int[] sequence = new int[total];
        final int[] emitted = new int[n];
        final TurnHeap released = new TurnHeap(n, counts, emitted);
        // turns not yet released wait in a calendar of one bucket per slot, chained through nextWaiting
        final int[] firstWaiting = new int[total];
        Arrays.fill(firstWaiting, -1);
        final int[] nextWaiting = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (counts[i] > 0)
            {
                released.add(i);
            }
        }
        for (int t = 0; t < total; t++)
        {
            for (int i = firstWaiting[t]; i >= 0; i = nextWaiting[i])
            {
                released.add(i);
            }
            final int i = released.poll();
            sequence[t] = i;
            final int k = ++emitted[i];
            if (k < counts[i])
            {
                // turn k is released at slot ceil(k * total / count), at once if that has come already
                final long due = ((long)k * total + counts[i] - 1) / counts[i];
                if (due <= t + 1)
                {
                    released.add(i);
                }
                else
                {
                    nextWaiting[i] = firstWaiting[(int)due];
                    firstWaiting[(int)due] = i;
                }
            }
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

    /**
     * A binary min-heap of backends by the deadline {@code (k + 1) / c} of their next turn {@code k},
     * compared exactly by cross-multiplying, ties to the lower index.
     */
    private static final class TurnHeap
    {
        private final int[] heap;
        private final int[] counts;
        private final int[] emitted;
        private int size;

        TurnHeap(final int capacity, final int[] counts, final int[] emitted)
        {
            this.heap = new int[capacity];
            this.counts = counts;
            this.emitted = emitted;
        }

        void add(final int item)
        {
            int child = size++;
            while (child > 0)
            {
                final int parent = (child - 1) >>> 1;
                if (!before(item, heap[parent]))
                {
                    break;
                }
                heap[child] = heap[parent];
                child = parent;
            }
            heap[child] = item;
        }

        int poll()
        {
            final int top = heap[0];
            final int item = heap[--size];
            int parent = 0;
            while (true)
            {
                int child = 2 * parent + 1;
                if (child >= size)
                {
                    break;
                }
                if (child + 1 < size && before(heap[child + 1], heap[child]))
                {
                    child++;
                }
                if (!before(heap[child], item))
                {
                    break;
                }
                heap[parent] = heap[child];
                parent = child;
            }
            heap[parent] = item;
            return top;
        }

        private boolean before(final int a, final int b)
        {
            final long left = (emitted[a] + 1L) * counts[b];
            final long right = (emitted[b] + 1L) * counts[a];
            return left < right || (left == right && a < b);
        }
    }
}
