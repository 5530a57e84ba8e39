package dev.wharf.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the JMH suite from rotting: every benchmark runs briefly (what {@code wharf bench jmh --quick}
 * does) with the allocation profiler, must produce a score, and, being a fast-path benchmark, must
 * allocate nothing per operation. Speed is measured by the benchmarks themselves, never asserted here.
 */
class BenchmarksStayAliveTest
{
    /** JMH reports a few bytes per op of noise from its own bookkeeping at such short runs; real allocation is 16+ B. */
    private static final double ALLOCATION_NOISE_BYTES_PER_OP = 1.0;
    /**
     * Benchmarks of control-thread work, which builds new tables by design (off the packet path, published whole):
     * they must run and score, and their B/op is a figure they report, not a fault.
     */
    private static final List<String> CONTROL_PLANE = List.of("dev.wharf.bench.LbSchedulerBenchmark.Build.");

    @Test
    void everyBenchmarkRunsAndTheFastPathAllocatesNothing() throws Exception
    {
        final Options options = new OptionsBuilder()
            .include("dev\\.wharf\\.bench\\.[A-Za-z]+Benchmark\\.")
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(200))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(300))
            .forks(1)
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true)
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        assertFalse(results.isEmpty(), "JMH found the benchmarks");

        final List<String> allocating = new ArrayList<>();
        for (final RunResult run : results)
        {
            final String name = run.getParams().getBenchmark() + run.getParams().getParamsKeys().stream()
                .map(k -> " " + k + "=" + run.getParams().getParam(k)).reduce("", String::concat);
            final Result<?> primary = run.getPrimaryResult();
            assertTrue(primary.getSampleCount() > 0 && Double.isFinite(primary.getScore()) && primary.getScore() > 0,
                name + " produced no score");
            final Result<?> allocation = run.getSecondaryResults().get("gc.alloc.rate.norm");
            assertTrue(allocation != null, name + ": the GC profiler reported no allocation figure");
            final String benchmark = run.getParams().getBenchmark();
            if (allocation.getScore() > ALLOCATION_NOISE_BYTES_PER_OP && CONTROL_PLANE.stream().noneMatch(benchmark::startsWith))
            {
                allocating.add(name + ": " + allocation.getScore() + " B/op");
            }
        }
        assertEquals(List.of(), allocating, "fast-path benchmarks must allocate 0 B/op");
    }
}
