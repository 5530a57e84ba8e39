package dev.wharf.lb.schedule;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds schedulers by name, on the control thread (a build allocates and may take milliseconds: Maglev
 * at M = 65,537 over 1,000 backends); the result is published whole to the workers, which only call
 * {@link Scheduler#pick}.
 *
 * <p>{@code sh} and {@code mh} hash with constant seeds: the same backends give the same choices on every
 * host and after every rebuild. {@link #rebuild} is what to call on any change of a service's backends: it
 * keeps every surviving backend's Maglev slots when backends are only removed or quiesced, and builds
 * afresh otherwise.
 */
public final class Schedulers
{
    /** Backend indices travel as {@code char}s in the hash tables. */
    public static final int MAX_BACKENDS = 65_535;

    private static final List<String> NAMES = List.of("rr", "wrr", "lc", "wlc", "sh", "mh");

    private Schedulers()
    {
    }

    /**
     * @param name     one of {@link #names()}.
     * @param backends at most {@link #MAX_BACKENDS}, no address and port twice; may be empty.
     * @throws IllegalArgumentException for an unknown name, a duplicate backend, too many backends, or a
     *                                  Maglev table smaller than the number of backends of positive weight.
     */
    public static Scheduler build(final String name, final List<BackendWeight> backends, final SchedulerOptions options)
    {
        Objects.requireNonNull(options, "options");
        final List<BackendWeight> list = checked(backends);
        return switch (Objects.requireNonNullElse(name, ""))
        {
            case "rr" -> new RoundRobinScheduler(list);
            case "wrr" -> new WeightedRoundRobinScheduler(list);
            case "lc" -> new LeastConnectionScheduler(list);
            case "wlc" -> new WeightedLeastConnectionScheduler(list);
            case "sh" -> new SourceHashScheduler(list, options);
            case "mh" -> new MaglevScheduler(list, options,
                MaglevTable.populate(checkedForMaglev(list, options), options.maglevTableSize()));
            default -> throw new IllegalArgumentException(
                "unknown scheduler '" + name + "': expected one of " + String.join(", ", NAMES));
        };
    }

    /** The scheduler names {@link #build} knows, IPVS's: rr, wrr, lc, wlc, sh, mh. */
    public static List<String> names()
    {
        return NAMES;
    }

    /**
     * The same scheduler without backend {@code removedIndex}; the others keep their order, those after it
     * moving down one index. For {@code mh} no flow of another backend moves.
     */
    public static Scheduler rebuildWithout(final Scheduler previous, final int removedIndex)
    {
        final List<BackendWeight> before = previous.backends();
        if (removedIndex < 0 || removedIndex >= before.size())
        {
            throw new IllegalArgumentException(
                "no backend " + removedIndex + " to remove: the scheduler has " + before.size());
        }
        final BackendWeight[] after = new BackendWeight[before.size() - 1];
        for (int i = 0, j = 0; i < before.size(); i++)
        {
            if (i != removedIndex)
            {
                after[j++] = before.get(i);
            }
        }
        return rebuild(previous, List.of(after), options(previous));
    }

    /**
     * A scheduler of the same name over {@code backends}. If {@code previous} is {@code mh} with the same
     * options and {@code backends} are some of its backends, each with its weight unchanged or now 0 (in
     * any order), the previous table is kept and only the slots of the removed and quiesced backends are
     * refilled ({@link MaglevTable#refill}): no flow of any other backend moves. Otherwise (an added
     * backend, a changed weight, other schedulers) a fresh {@link #build}.
     */
    public static Scheduler rebuild(
        final Scheduler previous, final List<BackendWeight> backends, final SchedulerOptions options)
    {
        if (previous instanceof MaglevScheduler maglev && maglev.options().equals(options))
        {
            final List<BackendWeight> list = checked(backends);
            final int[] remap = shrinkRemap(maglev.backends(), list);
            if (remap != null)
            {
                return new MaglevScheduler(list, options,
                    MaglevTable.refill(maglev.table(), remap, checkedForMaglev(list, options)));
            }
        }
        return build(previous.name(), backends, options);
    }

    /**
     * For each previous backend its index in {@code after} if it keeps its slots, else -1; null if
     * {@code after} is not the previous set minus some with weights unchanged or 0.
     */
    private static int[] shrinkRemap(final List<BackendWeight> before, final List<BackendWeight> after)
    {
        final Map<Long, Integer> previousIndex = new HashMap<>();
        for (int i = 0; i < before.size(); i++)
        {
            previousIndex.put(before.get(i).key(), i);
        }
        final int[] remap = new int[before.size()];
        Arrays.fill(remap, -1);
        for (int j = 0; j < after.size(); j++)
        {
            final BackendWeight backend = after.get(j);
            final Integer i = previousIndex.get(backend.key());
            if (i == null)
            {
                return null;
            }
            final int weightBefore = before.get(i).weight();
            if (backend.weight() == weightBefore)
            {
                remap[i] = weightBefore > 0 ? j : -1;
            }
            else if (backend.weight() != 0)
            {
                return null;
            }
        }
        return remap;
    }

    private static SchedulerOptions options(final Scheduler scheduler)
    {
        if (scheduler instanceof MaglevScheduler maglev)
        {
            return maglev.options();
        }
        return scheduler instanceof SourceHashScheduler sourceHash ? sourceHash.options() : SchedulerOptions.DEFAULT;
    }

    private static List<BackendWeight> checked(final List<BackendWeight> backends)
    {
        final List<BackendWeight> list = List.copyOf(Objects.requireNonNull(backends, "backends"));
        if (list.size() > MAX_BACKENDS)
        {
            throw new IllegalArgumentException(
                "a service takes at most " + MAX_BACKENDS + " backends: " + list.size() + " given");
        }
        final Set<Long> seen = new HashSet<>();
        for (final BackendWeight backend : list)
        {
            if (!seen.add(backend.key()))
            {
                throw new IllegalArgumentException("backend listed twice: " + backend);
            }
        }
        return list;
    }

    private static BackendWeight[] checkedForMaglev(final List<BackendWeight> backends, final SchedulerOptions options)
    {
        final int positive = positiveWeights(backends).length;
        if (positive > options.maglevTableSize())
        {
            throw new IllegalArgumentException("Maglev table size " + options.maglevTableSize() +
                " is smaller than the " + positive + " backends of positive weight; keep it above 100 per backend");
        }
        return backends.toArray(new BackendWeight[0]);
    }

    static int[] weights(final List<BackendWeight> backends)
    {
        final int[] weights = new int[backends.size()];
        for (int i = 0; i < weights.length; i++)
        {
            weights[i] = backends.get(i).weight();
        }
        return weights;
    }

    /** Indices of the backends of positive weight, in list order. */
    static int[] positiveWeights(final List<BackendWeight> backends)
    {
        int count = 0;
        for (final BackendWeight backend : backends)
        {
            count += backend.weight() > 0 ? 1 : 0;
        }
        final int[] indices = new int[count];
        for (int i = 0, c = 0; i < backends.size(); i++)
        {
            if (backends.get(i).weight() > 0)
            {
                indices[c++] = i;
            }
        }
        return indices;
    }
}
