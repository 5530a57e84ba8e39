package dev.wharf.bench.e2e;

import java.util.Locale;

/**
 * One figure the harness reports (a row of the table, a panel of the chart).
 *
 * @param id             stable key in the raw samples ({@code tcp1_gbps}).
 * @param label          what a reader sees.
 * @param unit           the unit of every value.
 * @param higherIsBetter whether a bigger value is better (throughput) or worse (latency, CPU).
 * @param headline       whether it belongs in the table and chart, or only in the raw samples.
 * @param decimals       digits shown after the point.
 * @param sameSegmentOnly whether it needs c1 and c2 on one L2 segment (frames built for c2's MAC),
 *                       so that it cannot be measured through a router ({@link Scenario#supports}).
 * @param kind           the one kind of scenario the figure belongs to (requests per second through a
 *                       load balancer's VIP), or null for a figure of every kind that can carry it.
 */
record Metric(String id, String label, String unit, boolean higherIsBetter, boolean headline, int decimals,
    boolean sameSegmentOnly, Scenario.Kind kind)
{
    static Metric headline(final String id, final String label, final String unit, final boolean higherIsBetter, final int decimals)
    {
        return new Metric(id, label, unit, higherIsBetter, true, decimals, false, null);
    }

    static Metric detail(final String id, final String label, final String unit, final int decimals)
    {
        return new Metric(id, label, unit, false, false, decimals, false, null);
    }

    /** This figure, marked as measurable only between two hosts on one L2 segment. */
    Metric sameSegment()
    {
        return new Metric(id, label, unit, higherIsBetter, headline, decimals, true, kind);
    }

    /** This figure, marked as belonging to scenarios of {@code only} alone. */
    Metric of(final Scenario.Kind only)
    {
        return new Metric(id, label, unit, higherIsBetter, headline, decimals, sameSegmentOnly, only);
    }

    String format(final double value)
    {
        if (Double.isNaN(value))
        {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
