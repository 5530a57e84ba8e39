package dev.wharf.bench;

import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.ConntrackTable;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;

/**
 * The worst pause a worker sees while 3,000,000 tracked flows expire: the table is filled with flows
 * that are all expired, a housekeeping thread calls {@link NatService#expire} every 100 ms (as the
 * daemon does) until the table is empty, and meanwhile a worker thread does lookups of live tuples and
 * creates/removes of new flows, timing every operation. Open vSwitch's userspace conntrack holds one
 * lock over its whole sweep and blocks workers for seconds at this size.
 *
 * <p>Run: {@code java -cp bench/target/wharf-benchmarks.jar dev.wharf.bench.ConntrackExpiryPause [flows]}
 */
public final class ConntrackExpiryPause
{
    private ConntrackExpiryPause()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int flows = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        final NatService service = new NatService(NatConfiguration.defaults().withMaxFlows(flows + 65_536));
        final ConntrackTable table = service.table();
        for (int round = 0; round < 2; round++)
        {
            ConntrackBenchmark.fill(table, flows); // expires at 1_000_000 + 5 days
            final long expired = 1_000_000L + 432_000_000L + 1;
            final long[] histogram = new long[8]; // <1us, <10us, <100us, <1ms, <10ms, <100ms, <1s, more
            final long[] worst = new long[1];
            final long[] operations = new long[1];
            final Thread worker = new Thread(() ->
            {
                final int state = ConnectionState.UNREPLIED;
                int k = 0;
                while (!Thread.currentThread().isInterrupted())
                {
                    final long start = System.nanoTime();
                    final int flow = (k * 7919) % 50_000;
                    table.lookup(FlowKey.addresses(ConntrackBenchmark.client(flow), ConntrackBenchmark.server(flow)),
                        FlowKey.ports(6, 1, ConntrackBenchmark.port(flow), 80));
                    final int created = table.create(FlowKey.addresses(0x0A63_0002, 0x0808_0808), FlowKey.ports(17, 1, 1024 + (k & 0x7FFF), 53),
                        FlowKey.addresses(0x0808_0808, 0x0A63_0002), FlowKey.ports(17, 0, 53, 1024 + (k & 0x7FFF)), state, Long.MAX_VALUE);
                    if (created >= 0)
                    {
                        final int f = ConntrackTable.flowOf(created);
                        table.remove(f, table.generation(f));
                    }
                    final long took = System.nanoTime() - start;
                    worst[0] = Math.max(worst[0], took);
                    histogram[Math.min(7, took < 1_000 ? 0 : (int)Math.log10(took / 1_000.0) + 1)]++;
                    operations[0]++;
                    k++;
                }
            });
            worker.start();
            Thread.sleep(200);
            final long sweepStart = System.nanoTime();
            long now = expired;
            int calls = 0;
            while (table.size() > 0)
            {
                service.expire(now);
                calls++;
                Thread.sleep(100);
                now += 100;
            }
            final long sweepMs = (System.nanoTime() - sweepStart) / 1_000_000;
            Thread.sleep(100);
            worker.interrupt();
            worker.join();
            System.out.printf("round %d: %,d flows expired in %d expire() calls over %d ms; worker did %,d lookup+create+remove ops%n",
                round, flows, calls, sweepMs, operations[0]);
            System.out.printf("  worst worker op: %.1f us; ops taking <1us %,d, <10us %,d, <100us %,d, <1ms %,d, <10ms %,d, <100ms %,d, >=100ms %,d%n",
                worst[0] / 1_000.0, histogram[0], histogram[1], histogram[2], histogram[3], histogram[4], histogram[5],
                histogram[6] + histogram[7]);
        }
    }
}
