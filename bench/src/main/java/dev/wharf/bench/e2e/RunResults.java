package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run produced: the samples, the scenarios that could not run and why, and the
 * failures met on the way (a scenario that would not set up, a test that failed), so the report
 * says what is missing instead of leaving it out silently. Main thread only.
 */
final class RunResults
{
    private final List<Scenario> scenarios;
    private final List<Measurement> measurements;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();

    RunResults(final List<Scenario> scenarios, final List<Measurement> measurements)
    {
        this.scenarios = List.copyOf(scenarios);
        this.measurements = List.copyOf(measurements);
    }

    void add(final List<Sample> newSamples)
    {
        samples.addAll(newSamples);
    }

    void skip(final String scenario, final String reason)
    {
        skipped.put(scenario, reason);
    }

    void fail(final String what)
    {
        failures.add(what);
    }

    List<Scenario> scenarios()
    {
        return scenarios;
    }

    List<Sample> samples()
    {
        return samples;
    }

    Map<String, String> skipped()
    {
        return skipped;
    }

    List<String> failures()
    {
        return failures;
    }

    /** Every metric of every measurement, in report order. */
    List<Metric> metrics()
    {
        final List<Metric> metrics = new ArrayList<>();
        for (final Measurement measurement : measurements)
        {
            metrics.addAll(measurement.metrics());
        }
        return metrics;
    }

    /** The values of one metric for one scenario, over the repeats. */
    List<Double> values(final String scenario, final Metric metric)
    {
        final List<Double> values = new ArrayList<>();
        for (final Sample sample : samples)
        {
            if (sample.scenario().equals(scenario) && sample.metric().id().equals(metric.id()))
            {
                values.add(sample.value());
            }
        }
        return values;
    }

    Statistics.Summary summary(final String scenario, final Metric metric)
    {
        return Statistics.summarize(values(scenario, metric));
    }

    /** Whether any sample of the scenario was measured (NaN "does not apply" samples count). */
    boolean measured(final String scenario, final Metric metric)
    {
        return !values(scenario, metric).isEmpty();
    }
}
