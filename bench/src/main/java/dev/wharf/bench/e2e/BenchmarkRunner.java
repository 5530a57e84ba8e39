package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs every measurement against every available scenario, interleaved across repeats
 * (bridge, ovs, wharf, bridge, ovs, wharf, ...) so that a slow minute on a shared machine hurts
 * every switch alike. Each scenario run gets a fresh topology and private directory, and is
 * torn down through {@link Cleanup} before the next one starts. A failure is noted and the run
 * goes on. Main thread only.
 */
final class BenchmarkRunner
{
    private static final int CONNECTIVITY_TIMEOUT_SECONDS = 20;

    private final List<Scenario> scenarios;
    private final List<Measurement> measurements;
    private final E2eOptions options;
    private final Path workRoot;
    private final Cleanup cleanup;

    BenchmarkRunner(final List<Scenario> scenarios, final List<Measurement> measurements, final E2eOptions options,
        final Path workRoot, final Cleanup cleanup)
    {
        this.scenarios = List.copyOf(scenarios);
        this.measurements = List.copyOf(measurements);
        this.options = options;
        this.workRoot = workRoot;
        this.cleanup = cleanup;
    }

    /** The measurements that apply to a scenario (a routed path cannot carry frames built for c2's MAC). */
    private List<Measurement> measurementsFor(final Scenario scenario)
    {
        return measurements.stream().filter(scenario::supportsAny).toList();
    }

    /** Nominal seconds of one scenario run's measurements. */
    private double measurementsEstimate(final Scenario scenario)
    {
        double seconds = 0;
        for (final Measurement measurement : measurementsFor(scenario))
        {
            seconds += measurement.estimatedSeconds(options.durationSeconds());
        }
        return seconds;
    }

    Progress progress()
    {
        double total = 0;
        int steps = 0;
        for (final Scenario scenario : scenarios)
        {
            total += scenario.estimatedSetupSeconds() + measurementsEstimate(scenario);
            steps += measurementsFor(scenario).size() + 1;
        }
        return new Progress(System.out, steps * options.repeats(), total * options.repeats());
    }

    void run(final RunResults results)
    {
        final Progress progress = progress();
        for (int repeat = 1; repeat <= options.repeats(); repeat++)
        {
            for (final Scenario scenario : scenarios)
            {
                if (cleanup.shuttingDown())
                {
                    return;
                }
                runScenario(scenario, repeat, progress, results);
            }
        }
        System.out.println("done in " + Progress.format(progress.elapsedSeconds()).substring(1));
    }

    private void runScenario(final Scenario scenario, final int repeat, final Progress progress, final RunResults results)
    {
        final String id = scenario.id();
        progress.begin(id, repeat, options.repeats(), "set up: containers, switch, first ping");
        final Path workDir = workDir(id, repeat);
        try
        {
            final ContainerPair containers;
            try
            {
                containers = ContainerPair.create(workDir, cleanup);
                scenario.setUp(containers, workDir, cleanup);
                containers.awaitConnectivity(CONNECTIVITY_TIMEOUT_SECONDS);
            }
            catch (final HarnessException e)
            {
                final String failure = id + " repeat " + repeat + ": set-up failed: " + e.getMessage();
                results.fail(failure);
                progress.note("FAILED " + failure);
                progress.skipped(measurementsFor(scenario).size(), measurementsEstimate(scenario));
                return;
            }
            finally
            {
                progress.finished(scenario.estimatedSetupSeconds());
            }
            for (final Measurement measurement : measurementsFor(scenario))
            {
                if (cleanup.shuttingDown())
                {
                    return;
                }
                progress.begin(id, repeat, options.repeats(), measurement.title());
                try
                {
                    final List<Sample> samples = measurement.run(new Measurement.Context(scenario, containers, repeat,
                        options.durationSeconds(), workDir, cleanup));
                    if (cleanup.shuttingDown())
                    {
                        // Ctrl-C tore the topology down under the test: what it returned is not a measurement
                        return;
                    }
                    results.add(samples.stream().filter(sample -> scenario.supports(sample.metric())).toList());
                }
                catch (final HarnessException e)
                {
                    final String failure = id + " repeat " + repeat + ": " + measurement.title() + ": " + e.getMessage();
                    results.fail(failure);
                    progress.note("FAILED " + failure);
                }
                finally
                {
                    progress.finished(measurement.estimatedSeconds(options.durationSeconds()));
                }
            }
        }
        finally
        {
            cleanup.runAll();
        }
    }

    private Path workDir(final String scenario, final int repeat)
    {
        final Path dir = workRoot.resolve(scenario + "-r" + repeat);
        try
        {
            return Files.createDirectories(dir);
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
