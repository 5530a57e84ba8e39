package dev.wharf.bench.e2e;

import java.util.List;
import java.util.Map;

/**
 * TCP throughput from c1 to c2 with iperf3 ({@code -P streams}, {@code -J}, read by {@link Iperf3Report}):
 * the rate the receiver got ({@code end.sum_received}), and the sender's retransmits as a detail (they
 * show a switch dropping under bursts). The server is a one-off ({@code -1}) in c2. {@link #throughVip} is the
 * load balancer's variant: the client connects to the VIP, whose iperf3 service has c2 as its one backend
 * (iperf3's control and data connections must reach the same server).
 */
final class TcpThroughputMeasurement implements Measurement
{
    private static final int PORT = 5201;

    private final int streams;
    private final String destination;
    private final String where;
    private final Metric throughput;
    private final Metric retransmits;

    TcpThroughputMeasurement(final int streams)
    {
        this(streams, ContainerPair.IP2, "", "tcp", "TCP", null);
    }

    private TcpThroughputMeasurement(final int streams, final String destination, final String where, final String idPrefix,
        final String labelPrefix, final Scenario.Kind kind)
    {
        this.streams = streams;
        this.destination = destination;
        this.where = where;
        final String name = labelPrefix + ", " + streams + (streams == 1 ? " stream" : " streams");
        final Metric rate = Metric.headline(idPrefix + streams + "_gbps", name, "Gbit/s", true, 2);
        final Metric resent = Metric.detail(idPrefix + streams + "_retransmits", name + ", retransmits", "segments", 0);
        this.throughput = kind == null ? rate : rate.of(kind);
        this.retransmits = kind == null ? resent : resent.of(kind);
    }

    /** TCP from c1 to the load balancer's VIP, translated to its one backend c2 ({@link LbTopology#IPERF_PORT}). */
    static TcpThroughputMeasurement throughVip(final int streams)
    {
        return new TcpThroughputMeasurement(streams, LbTopology.VIP, " through the VIP", "lb_tcp", "TCP through the VIP to one backend",
            Scenario.Kind.LOAD_BALANCED);
    }

    @Override
    public String title()
    {
        return "TCP throughput" + where + ", " + streams + (streams == 1 ? " stream" : " streams") + " (iperf3)";
    }

    @Override
    public List<Metric> metrics()
    {
        return List.of(throughput, retransmits);
    }

    @Override
    public double estimatedSeconds(final double durationSeconds)
    {
        return seconds(durationSeconds) + 1.5;
    }

    private static int seconds(final double durationSeconds)
    {
        // iperf3 takes whole seconds
        return Math.max(1, (int)Math.round(durationSeconds));
    }

    @Override
    public List<Sample> run(final Context context)
    {
        final int seconds = seconds(context.durationSeconds());
        final BackgroundProcess server = BackgroundProcess.start("iperf3 server",
            List.of("ip", "netns", "exec", ContainerPair.C2, "iperf3", "-s", "-1", "-p", Integer.toString(PORT)),
            Map.of(), context.workDir().resolve("iperf3-server.log"), context.cleanup());
        try
        {
            awaitListening(server);
            final Shell.Result client = Shell.inNamespace(seconds + 20, ContainerPair.C1,
                "iperf3", "-c", destination, "-p", Integer.toString(PORT), "-t", Integer.toString(seconds),
                "-P", Integer.toString(streams), "-J", "--connect-timeout", "3000");
            final String json = client.stdout();
            final Iperf3Report report = Iperf3Report.parse(json);
            if (!client.ok() || !report.received())
            {
                throw new HarnessException("iperf3 -P " + streams + " failed" + (client.timedOut() ? " (timed out)" : "") + ": " +
                    (report.error() != null ? report.error() : Shell.firstLine(client.stderr() + json)));
            }
            final double gbps = report.receivedBitsPerSecond() / 1e9;
            return List.of(context.sample(throughput, gbps), context.sample(retransmits, report.retransmits()));
        }
        finally
        {
            server.stop();
        }
    }

    private static void awaitListening(final BackgroundProcess server)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline)
        {
            server.requireAlive();
            final Shell.Result listening = Shell.inNamespace(5, ContainerPair.C2, "ss", "-Hltn", "sport = :" + PORT);
            if (listening.ok() && !listening.stdout().isBlank())
            {
                return;
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new HarnessException("interrupted", e);
            }
        }
        throw new HarnessException("iperf3 server in " + ContainerPair.C2 + " not listening after 5 s: " + server.logTail(2));
    }
}
