package dev.wharf.bench;

import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.worker.MonotonicClock;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@link FdbTable} at packet rate, in ns per operation: a lookup that hits (l2-forward), a lookup
 * that misses (unknown unicast, then flooded), and the refresh of a known MAC on its own port
 * (l2-learn's common case). The table holds {@code entries} random MACs on 8 ports; each
 * invocation does 256 operations on MACs taken in a random order that covers the whole table, so
 * the numbers include the cache misses a table of that size costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true",
    "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class FdbBenchmark
{
    private static final int OPS = 256;
    private static final int VLAN = 0;
    private static final int PORTS = 8;

    /** Learned MACs in the table (a power of two, at least {@value #OPS}). */
    @Param({"4096", "65536"})
    public int entries;

    private FdbTable fdb;
    private long[] macs;
    private int[] ports;
    private long[] unknown;
    private long nowMs;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Random random = new Random(0x4644_4221L);
        fdb = new FdbTable(entries, CounterLayout.MAX_PORTS);
        nowMs = MonotonicClock.nowMs();
        final long[] all = BenchFrames.distinctMacs(random, 2 * entries);
        final int[] order = BenchFrames.permutation(random, entries);
        macs = new long[entries];
        ports = new int[entries];
        unknown = new long[entries];
        for (int i = 0; i < entries; i++)
        {
            if (fdb.learn(all[i], VLAN, i % PORTS, nowMs, Integer.MAX_VALUE) != FdbTable.LEARNED)
            {
                throw new IllegalStateException("not learned: " + i);
            }
        }
        for (int i = 0; i < entries; i++)
        {
            macs[i] = all[order[i]];
            ports[i] = order[i] % PORTS;
            unknown[i] = all[entries + i];
        }
        if (fdb.size() != entries)
        {
            throw new IllegalStateException("table holds " + fdb.size() + " of " + entries);
        }
    }

    private int nextBlock()
    {
        final int first = cursor;
        cursor = (first + OPS) & (entries - 1);
        return first;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int lookupHit()
    {
        final FdbTable fdb = this.fdb;
        final long[] macs = this.macs;
        final int first = nextBlock();
        int sum = 0;
        for (int i = first; i < first + OPS; i++)
        {
            sum += fdb.lookup(macs[i], VLAN);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int lookupMiss()
    {
        final FdbTable fdb = this.fdb;
        final long[] unknown = this.unknown;
        final int first = nextBlock();
        int sum = 0;
        for (int i = first; i < first + OPS; i++)
        {
            sum += fdb.lookup(unknown[i], VLAN);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int learnRefresh()
    {
        final FdbTable fdb = this.fdb;
        final long[] macs = this.macs;
        final int[] ports = this.ports;
        final long nowMs = this.nowMs;
        final int first = nextBlock();
        int sum = 0;
        for (int i = first; i < first + OPS; i++)
        {
            sum += fdb.learn(macs[i], VLAN, ports[i], nowMs, Integer.MAX_VALUE);
        }
        return sum;
    }
}
