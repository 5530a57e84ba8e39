package dev.wharf.lb.schedule;

import java.util.Arrays;

/**
 * Builds {@code mh}'s lookup table (Eisenbud et al., "Maglev", NSDI 2016, section 3.4) on the control
 * thread: M slots (M prime), each naming a backend. Backend {@code i} prefers the slots
 * {@code (offset_i + j * skip_i) mod M} for j = 0, 1, ..., offset and skip from two hashes of its address
 * and port; it visits every slot since M is prime and 0 < skip < M. The permutation is walked, never
 * stored (1,000 backends' permutations of 65,537 slots would be 262 MB).
 *
 * <p>Weights: the M turns of the population are shared out by weight ({@link WeightedSequence#apportion},
 * every backend of positive weight at least one) and taken in smooth order ({@link WeightedSequence#layout});
 * on its turn a backend claims its next preferred slot still free. So a backend holds exactly its
 * apportioned count of slots (within one slot of {@code M * w / sum(w)}), and with equal weights the turns
 * go round as in the paper.
 *
 * <p>Removal ({@link #refill}): the previous table is kept and only the slots of backends removed or
 * quiesced are filled again, by the survivors taking turns by weight along their own permutations from the
 * start. No key of a survivor moves. The trade-off: the table is then no longer the one a fresh build of
 * the survivors would give (the freed slots go to the survivors' first free preferences, not to where a
 * fresh population would have put them), so a later fresh build (an added backend, a weight change) moves
 * more than the 1/n a fresh-to-fresh change moves: the slots where the two tables differ.
 */
final class MaglevTable
{
    /** A slot not yet claimed; backend indices stay below it (at most 65,535 backends). */
    static final char EMPTY = 0xFFFF;

    private MaglevTable()
    {
    }

    /** A fresh table of {@code size} slots over the backends of positive weight, or an empty array if none. */
    static char[] populate(final BackendWeight[] backends, final int size)
    {
        final int[] weights = weights(backends);
        if (positive(weights) == 0)
        {
            return new char[0];
        }
        final char[] table = new char[size];
        Arrays.fill(table, EMPTY);
        fill(table, backends, WeightedSequence.layout(WeightedSequence.apportion(weights, size, true, true)));
        return table;
    }

    /**
     * The previous table with every slot of a removed or quiesced backend filled again by the backends
     * left, the others' slots unchanged.
     *
     * @param previous  the table being replaced.
     * @param remap     for each previous backend index, its index among {@code backends}, or -1 if it lost
     *                  its slots (removed, or weight now 0).
     * @param backends  the backends after the change: the previous ones minus some, same weights or 0.
     */
    static char[] refill(final char[] previous, final int[] remap, final BackendWeight[] backends)
    {
        final int[] weights = weights(backends);
        if (positive(weights) == 0 || previous.length == 0)
        {
            return new char[0];
        }
        final char[] table = new char[previous.length];
        int freed = 0;
        for (int s = 0; s < previous.length; s++)
        {
            final int survivor = remap[previous[s]];
            if (survivor < 0)
            {
                table[s] = EMPTY;
                freed++;
            }
            else
            {
                table[s] = (char)survivor;
            }
        }
        if (freed > 0)
        {
            fill(table, backends, WeightedSequence.layout(WeightedSequence.apportion(weights, freed, true, false)));
        }
        return table;
    }

    /** Each turn, its backend claims the next free slot of its permutation; one turn per EMPTY slot. */
    private static void fill(final char[] table, final BackendWeight[] backends, final int[] turns)
    {
        final int size = table.length;
        final int n = backends.length;
        final int[] position = new int[n];
        final int[] skip = new int[n];
        for (int i = 0; i < n; i++)
        {
            position[i] = offset(backends[i], size);
            skip[i] = skip(backends[i], size);
        }
        for (final int i : turns)
        {
            int slot = position[i];
            while (table[slot] != EMPTY)
            {
                slot += skip[i];
                slot -= slot >= size ? size : 0;
            }
            table[slot] = (char)i;
            slot += skip[i];
            position[i] = slot >= size ? slot - size : slot;
        }
    }

    static int offset(final BackendWeight backend, final int size)
    {
        return (int)Long.remainderUnsigned(ClientHash.mix(backend.key() ^ ClientHash.OFFSET_SEED), size);
    }

    static int skip(final BackendWeight backend, final int size)
    {
        return 1 + (int)Long.remainderUnsigned(ClientHash.mix(backend.key() ^ ClientHash.SKIP_SEED), size - 1);
    }

    private static int[] weights(final BackendWeight[] backends)
    {
        final int[] weights = new int[backends.length];
        for (int i = 0; i < backends.length; i++)
        {
            weights[i] = backends[i].weight();
        }
        return weights;
    }

    private static int positive(final int[] weights)
    {
        int positive = 0;
        for (final int w : weights)
        {
            positive += w > 0 ? 1 : 0;
        }
        return positive;
    }
}
