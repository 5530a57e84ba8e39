package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * HTTP load through the load balancer's VIP with wrk from c1, against the backends' nginx (a 6-byte file):
 * {@link #keepAlive()} measures requests per second over connections kept open (the balancer's established
 * path), {@link #newConnections()} sends {@code Connection: close} so that every request is a new TCP connection
 * (a SYN scheduled, translated and tracked, then torn down): its requests per second are connections per second.
 * A 1 s run at the same settings comes first, not counted (the JIT of a userspace balancer, nginx's first
 * accepts). Details: the median and 99th percentile latency, socket errors plus non-2xx answers, and the switch
 * process's CPU per 1,000 requests (NaN for the kernel, which balances in softirq).
 */
final class HttpLoadMeasurement implements Measurement
{
    static final int THREADS = 2;
    static final int CONNECTIONS = 64;
    private static final int WARMUP_SECONDS = 1;

    private final boolean close;
    private final Metric rate;
    private final Metric p50;
    private final Metric p99;
    private final Metric errors;
    private final Metric switchCpu;

    private HttpLoadMeasurement(final boolean close, final Metric rate, final String prefix, final String label)
    {
        this.close = close;
        final Scenario.Kind kind = Scenario.Kind.LOAD_BALANCED;
        this.rate = rate.of(kind);
        this.p50 = Metric.detail(prefix + "_p50_ms", label + ", median latency", "ms", 2).of(kind);
        this.p99 = Metric.detail(prefix + "_p99_ms", label + ", p99 latency", "ms", 2).of(kind);
        this.errors = Metric.detail(prefix + "_errors", label + ", socket errors and non-2xx answers", "requests", 0).of(kind);
        this.switchCpu = Metric.detail(prefix + "_switch_cpu_ms_per_k", label + ", switch process CPU per 1,000 requests", "ms", 2).of(kind);
    }

    static HttpLoadMeasurement keepAlive()
    {
        return new HttpLoadMeasurement(false,
            Metric.headline("lb_rps", "HTTP requests, keep-alive (wrk)", "req/s", true, 0), "lb_rps", "Keep-alive requests");
    }

    static HttpLoadMeasurement newConnections()
    {
        return new HttpLoadMeasurement(true,
            Metric.headline("lb_cps", "New connections (wrk, Connection: close)", "conn/s", true, 0), "lb_cps", "New connections");
    }

    @Override
    public String title()
    {
        return close ? "new connections per second through the VIP (wrk, Connection: close)" : "requests per second through the VIP (wrk, keep-alive)";
    }

    @Override
    public List<Metric> metrics()
    {
        return List.of(rate, p50, p99, errors, switchCpu);
    }

    @Override
    public double estimatedSeconds(final double durationSeconds)
    {
        return seconds(durationSeconds) + WARMUP_SECONDS + 2;
    }

    private static int seconds(final double durationSeconds)
    {
        return Math.max(1, (int)Math.round(durationSeconds));
    }

    /** The wrk command line, run in c1 (without {@code ip netns exec}). */
    List<String> command(final int seconds)
    {
        final List<String> command = new ArrayList<>(List.of("wrk", "-t", Integer.toString(THREADS), "-c", Integer.toString(CONNECTIONS),
            "-d", seconds + "s", "--latency", "--timeout", "5s"));
        if (close)
        {
            command.addAll(List.of("-H", "Connection: close"));
        }
        command.add("http://" + LbTopology.VIP + ":" + LbTopology.WEB_PORT + "/");
        return command;
    }

    @Override
    public List<Sample> run(final Context context)
    {
        wrk(WARMUP_SECONDS);
        final List<ProcessHandle> switchProcesses = context.scenario().switchProcesses();
        final double cpuBefore = CpuCounters.processMs(switchProcesses);
        final WrkReport report = wrk(seconds(context.durationSeconds()));
        final double cpuMs = CpuCounters.processMs(switchProcesses) - cpuBefore;
        if (report.requests() == 0)
        {
            throw new HarnessException("wrk completed no request through " + LbTopology.VIP);
        }
        return List.of(
            context.sample(rate, report.requestsPerSecond()),
            context.sample(p50, report.p50Ms()),
            context.sample(p99, report.p99Ms()),
            context.sample(errors, report.socketErrors() + report.non2xx()),
            context.sample(switchCpu, switchProcesses.isEmpty() ? Double.NaN : cpuMs / (report.requests() / 1e3)));
    }

    private WrkReport wrk(final int seconds)
    {
        final List<String> command = command(seconds);
        final Shell.Result result = Shell.inNamespace(seconds + 30, ContainerPair.C1, command.toArray(new String[0]));
        final WrkReport report = WrkReport.parse(result.stdout());
        if (!result.ok() || !report.completed())
        {
            throw new HarnessException(String.join(" ", command) + " failed" + (result.timedOut() ? " (timed out)" : "") + ": " +
                Shell.firstLine(result.stderr() + result.stdout()));
        }
        return report;
    }
}
