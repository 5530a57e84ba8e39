package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Round-trip latency from c1 to c2 with ping at 10 ms intervals on an otherwise idle path: the
 * average and the 99th percentile (nearest rank) of the individual RTTs, and the loss as a detail.
 * It runs after the traffic tests: an idle path is the honest worst case for a polling switch that
 * sleeps when idle, but a JVM still compiling its first packets' code would measure its warm-up.
 */
final class LatencyMeasurement implements Measurement
{
    private static final double INTERVAL_SECONDS = 0.01;
    private static final int MIN_COUNT = 100;
    private static final int MAX_COUNT = 1000;
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");

    private static final Metric AVERAGE = Metric.headline("ping_avg_ms", "Ping RTT, average", "ms", false, 3);
    private static final Metric P99 = Metric.headline("ping_p99_ms", "Ping RTT, p99", "ms", false, 3);
    private static final Metric LOSS = Metric.detail("ping_loss_pct", "Ping loss", "%", 1);

    @Override
    public String title()
    {
        return "latency (ping)";
    }

    @Override
    public List<Metric> metrics()
    {
        return List.of(AVERAGE, P99, LOSS);
    }

    static int count(final double durationSeconds)
    {
        // half the duration's worth of pings: enough RTTs for a p99, without doubling the run time
        return (int)Math.max(MIN_COUNT, Math.min(MAX_COUNT, Math.round(durationSeconds * 0.5 / INTERVAL_SECONDS)));
    }

    @Override
    public double estimatedSeconds(final double durationSeconds)
    {
        return count(durationSeconds) * INTERVAL_SECONDS + 0.5;
    }

    @Override
    public List<Sample> run(final Context context)
    {
        final int count = count(context.durationSeconds());
        final int deadlineSeconds = (int)Math.ceil(count * INTERVAL_SECONDS) + 5;
        final Shell.Result ping = Shell.inNamespace(deadlineSeconds + 5, ContainerPair.C1,
            "ping", "-n", "-c", Integer.toString(count), "-i", Double.toString(INTERVAL_SECONDS), "-W", "1",
            "-w", Integer.toString(deadlineSeconds), ContainerPair.IP2);
        final List<Double> rtts = new ArrayList<>();
        final Matcher m = RTT.matcher(ping.stdout());
        while (m.find())
        {
            rtts.add(Double.parseDouble(m.group(1)));
        }
        if (rtts.isEmpty())
        {
            throw new HarnessException("ping got no replies: " + Shell.firstLine(ping.stderr() + ping.stdout()));
        }
        final double average = rtts.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        final double p99 = Statistics.percentile(rtts, 99);
        final double loss = 100.0 * (count - rtts.size()) / count;
        return List.of(context.sample(AVERAGE, average), context.sample(P99, p99), context.sample(LOSS, loss));
    }
}
