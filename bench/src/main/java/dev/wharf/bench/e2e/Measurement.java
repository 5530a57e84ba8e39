package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * One test run against whatever switch is set up between the two containers (TCP throughput,
 * small-packet rate, latency, ...). A measurement knows nothing of the switch: what it needs
 * (the containers, the switch's processes) comes in its {@link Context}. New tests (NAT paths,
 * overlay, load balancer) are new implementations. Every run is bounded in time.
 */
interface Measurement
{
    /** What the progress line shows. */
    String title();

    /** The figures this measurement produces, in the order the report shows them. */
    List<Metric> metrics();

    /** About how long one run takes, for the estimate of time left. */
    double estimatedSeconds(double durationSeconds);

    List<Sample> run(Context context);

    /**
     * What a measurement may use.
     *
     * @param scenario        the switch under test (its id goes into each sample; its processes get the CPU).
     * @param containers      the two containers, connected through the switch.
     * @param repeat          which repeat this is, from 1.
     * @param durationSeconds how long each traffic phase lasts (--duration).
     * @param workDir         a private directory for config files and logs.
     * @param cleanup         where background traffic processes are registered, so they stop however the run ends.
     */
    record Context(Scenario scenario, ContainerPair containers, int repeat, double durationSeconds, Path workDir,
        Cleanup cleanup)
    {
        Sample sample(final Metric metric, final double value)
        {
            return new Sample(scenario.id(), repeat, metric, value, System.currentTimeMillis());
        }
    }
}
