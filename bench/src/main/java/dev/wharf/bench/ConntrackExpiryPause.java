package dev.wharf.bench;

import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.ConntrackExpiry;
import dev.wharf.nat.ConntrackTable;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;

/**
 * The worst pause a worker sees while 3,000,000 tracked flows expire. The table is filled with flows
 * that are all expired; a worker thread then runs duty cycles as the daemon's workers do: a batch's
 * worth of connection work (lookups of live tuples, a create and a remove) followed by its expiry
 * slice ({@link ConntrackExpiry#run}), timing every cycle, until the table is empty. Open vSwitch's
 * userspace conntrack holds one lock over its whole sweep and blocks its threads for seconds at this
 * size. Round 0 is a baseline with nothing expiring, so the machine's own pauses (scheduler, JIT, GC)
 * are told apart from what expiry adds: the rate of cycles over 1 ms per second of run is compared
 * between the rounds, and the expiry slice is timed on its own. The thread's CPU time is shown too;
 * in a VM it does not tell work from a vCPU the hypervisor descheduled (the guest counts that time
 * as the thread's), so it is no proof either way there.
 *
 * <p>Run: {@code java -cp bench/target/wharf-benchmarks.jar dev.wharf.bench.ConntrackExpiryPause [flows]}
 */
public final class ConntrackExpiryPause
{
    private static final int OPS_PER_CYCLE = 32;

    private ConntrackExpiryPause()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int flows = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        for (int round = 0; round < 3; round++)
        {
            final boolean expiring = round > 0;
            final NatService service = new NatService(NatConfiguration.defaults().withMaxFlows(flows + 65_536));
            final ConntrackTable table = service.table();
            final long expired = 1_000_000L + 432_000_000L + 1;
            if (expiring)
            {
                ConntrackBenchmark.fill(table, flows); // expires at 1_000_000 + 5 days
            }
            final ConntrackExpiry expiry = service.expiry();
            final long[] histogram = new long[8]; // <1us, <10us, <100us, <1ms, <10ms, <100ms, <1s, more
            long worst = 0;
            long worstCpu = 0;
            long overMs = 0;
            long overMsCpu = 0;
            long worstSlice = 0;
            long slicesOverMs = 0;
            long cycles = 0;
            final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            final long startNs = System.nanoTime();
            final long limitNs = expiring ? 30_000_000_000L : 2_000_000_000L;
            int k = 0;
            while (System.nanoTime() - startNs < limitNs && (!expiring || table.size() > 0))
            {
                final long cycleStart = System.nanoTime();
                final long cpuStart = threads.getCurrentThreadCpuTime();
                for (int op = 0; op < OPS_PER_CYCLE; op++, k++)
                {
                    final int flow = (k * 7919) % 50_000;
                    table.lookup(FlowKey.addresses(ConntrackBenchmark.client(flow), ConntrackBenchmark.server(flow)),
                        FlowKey.ports(6, 1, ConntrackBenchmark.port(flow), 80));
                }
                final int created = table.create(FlowKey.addresses(0x0A63_0002, 0x0808_0808), FlowKey.ports(17, 1, 1024 + (k & 0x7FFF), 53),
                    FlowKey.addresses(0x0808_0808, 0x0A63_0002), FlowKey.ports(17, 0, 53, 1024 + (k & 0x7FFF)),
                    ConnectionState.UNREPLIED, Long.MAX_VALUE);
                if (created >= 0)
                {
                    final int f = ConntrackTable.flowOf(created);
                    table.remove(f, table.generation(f));
                }
                final long sliceStart = System.nanoTime();
                expiry.run(expired + (cycleStart - startNs) / 1_000_000);
                final long end = System.nanoTime();
                worstSlice = Math.max(worstSlice, end - sliceStart);
                slicesOverMs += end - sliceStart > 1_000_000 ? 1 : 0;
                final long took = end - cycleStart;
                final long tookCpu = threads.getCurrentThreadCpuTime() - cpuStart;
                worst = Math.max(worst, took);
                worstCpu = Math.max(worstCpu, tookCpu);
                overMs += took > 1_000_000 ? 1 : 0;
                overMsCpu += tookCpu > 1_000_000 ? 1 : 0;
                histogram[Math.min(7, took < 1_000 ? 0 : (int)Math.log10(took / 1_000.0) + 1)]++;
                cycles++;
            }
            final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            System.out.printf("round %d (%s): %,d flows left of %,d after %d ms; %,d duty cycles of %d lookups + create + remove + expiry slice%n",
                round, expiring ? "expiring" : "baseline, nothing expires", table.size(), expiring ? flows : 0, elapsedMs, cycles,
                OPS_PER_CYCLE);
            System.out.printf("  worst cycle: %.1f us; cycles taking <1us %,d, <10us %,d, <100us %,d, <1ms %,d, <10ms %,d, <100ms %,d, >=100ms %,d%n",
                worst / 1_000.0, histogram[0], histogram[1], histogram[2], histogram[3], histogram[4], histogram[5],
                histogram[6] + histogram[7]);
            System.out.printf("  cycles over 1 ms: %,d (%.2f per second of run) on the wall clock, %,d in the thread's CPU time" +
                " (worst %.1f us of CPU); expiry slices over 1 ms: %,d, worst slice %.1f us%n",
                overMs, overMs * 1_000.0 / Math.max(1, elapsedMs), overMsCpu, worstCpu / 1_000.0, slicesOverMs, worstSlice / 1_000.0);
        }
    }
}
