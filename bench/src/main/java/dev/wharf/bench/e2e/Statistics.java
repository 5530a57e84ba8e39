package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The few statistics the report uses. Median and range rather than mean and deviation: with
 * three repeats on a shared VM, one disturbed run must not move the headline figure.
 */
final class Statistics
{
    private Statistics()
    {
    }

    /** Median, min and max of the values that are not NaN; {@code n} counts them. */
    record Summary(double median, double min, double max, int n)
    {
        static final Summary NONE = new Summary(Double.NaN, Double.NaN, Double.NaN, 0);
    }

    static Summary summarize(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>();
        for (final double v : values)
        {
            if (!Double.isNaN(v))
            {
                sorted.add(v);
            }
        }
        if (sorted.isEmpty())
        {
            return Summary.NONE;
        }
        Collections.sort(sorted);
        final int n = sorted.size();
        final double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Summary(median, sorted.get(0), sorted.get(n - 1), n);
    }

    /** The nearest-rank percentile of the values. */
    static double percentile(final List<Double> values, final double percent)
    {
        final List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        final int rank = (int)Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
