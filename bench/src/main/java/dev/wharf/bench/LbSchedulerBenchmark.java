package dev.wharf.bench;

import dev.wharf.lb.schedule.BackendLoad;
import dev.wharf.lb.schedule.BackendWeight;
import dev.wharf.lb.schedule.Scheduler;
import dev.wharf.lb.schedule.SchedulerOptions;
import dev.wharf.lb.schedule.Schedulers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load balancer's schedulers (issue 13), in ns per new flow: {@link Scheduler#pick} of each scheduler
 * over {@code backends} backends of random weights 1..100, 256 picks per invocation for clients (address
 * and port) drawn at random, lc and wlc reading random connection counts. One thread: rr and wrr's shared
 * cursor is then uncontended. {@link Build} times what the control thread spends on a Maglev table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"-Dagrona.disable.bounds.checks=true", "-Xmx1g"})
@State(Scope.Thread)
public class LbSchedulerBenchmark
{
    private static final int OPS = 256;
    private static final int CLIENTS = 1 << 16;

    @Param({"rr", "wrr", "lc", "wlc", "sh", "mh"})
    public String scheduler;

    @Param({"3", "1000"})
    public int backends;

    private Scheduler chosen;
    private BackendLoad load;
    private int[] addresses;
    private int[] ports;
    private long[] flowHashes;
    private int cursor;

    static List<BackendWeight> backends(final int count, final SplittableRandom random)
    {
        final List<BackendWeight> list = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            list.add(new BackendWeight(0x0A00_0000 + i, 8080, 1 + random.nextInt(100)));
        }
        return list;
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(0x4C42_0013L);
        chosen = Schedulers.build(scheduler, backends(backends, random), SchedulerOptions.DEFAULT);
        final long[] connections = new long[backends];
        for (int i = 0; i < backends; i++)
        {
            connections[i] = random.nextInt(10_000);
        }
        load = i -> connections[i];
        addresses = new int[CLIENTS];
        ports = new int[CLIENTS];
        flowHashes = new long[CLIENTS];
        for (int c = 0; c < CLIENTS; c++)
        {
            addresses[c] = random.nextInt();
            ports[c] = 1_024 + random.nextInt(64_512);
            flowHashes[c] = random.nextLong();
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int pick()
    {
        final Scheduler scheduler = this.chosen;
        final BackendLoad load = this.load;
        final int[] addresses = this.addresses;
        final int[] ports = this.ports;
        final long[] flowHashes = this.flowHashes;
        final int first = cursor;
        cursor = (first + OPS) & (CLIENTS - 1);
        int sum = 0;
        for (int c = first; c < first + OPS; c++)
        {
            sum += scheduler.pick(addresses[c], ports[c], flowHashes[c], load);
        }
        return sum;
    }

    /**
     * The Maglev table of 1,000 backends (weights 1..100) at M = 65,537, built afresh ({@code build}) and
     * refilled after one backend's removal ({@code rebuildWithout}), in ms; -prof gc's B/op is what a build
     * allocates, the table itself one {@code char} per slot.
     */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @State(Scope.Thread)
    public static class Build
    {
        private List<BackendWeight> thousand;
        private Scheduler built;

        @Setup(Level.Trial)
        public void setUp()
        {
            thousand = backends(1_000, new SplittableRandom(0x4D48_0013L));
            built = Schedulers.build("mh", thousand, SchedulerOptions.DEFAULT);
        }

        @Benchmark
        public Scheduler maglevBuild()
        {
            return Schedulers.build("mh", thousand, SchedulerOptions.DEFAULT);
        }

        @Benchmark
        public Scheduler maglevRebuildWithout()
        {
            return Schedulers.rebuildWithout(built, 500);
        }
    }
}
