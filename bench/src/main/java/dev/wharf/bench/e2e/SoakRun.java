package dev.wharf.bench.e2e;

import dev.wharf.control.api.v1.AddPublishRequest;
import dev.wharf.control.api.v1.AttachPortRequest;
import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.DetachPortRequest;
import dev.wharf.control.api.v1.PortKind;
import dev.wharf.control.api.v1.RemoveNetworkRequest;
import dev.wharf.control.api.v1.RemovePublishRequest;
import dev.wharf.control.client.WharfClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The soak's cycles against one daemon: each creates a network, attaches the veth (AF_PACKET) and a TAP, publishes
 * B's iperf3 port on the gateway, pings from A to B, every {@link SoakOptions#trafficEvery()} cycles bursts TCP through
 * the published port, then unpublishes, detaches both ports and removes the network. The daemon is sampled
 * ({@link DaemonFootprint}) after the warm-up and at the end. Every step is bounded in time (the API's deadline, each
 * command's timeout) and the loop in count and time; the first failing step ends the run, as do
 * {@value #MAX_TRAFFIC_FAILURES} cycles whose traffic did not pass. Main thread only.
 */
final class SoakRun
{
    static final int MAX_TRAFFIC_FAILURES = 3;
    static final int PUBLISHED_PORT = 15201;
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

    /** What the run measured; {@code failure} is null when every cycle passed. */
    record Result(DaemonFootprint fresh, DaemonFootprint baseline, DaemonFootprint end, int cycles, double seconds, int pings,
        int bursts, List<String> trafficFailures, String failure)
    {
    }

    private final SoakOptions options;
    private final WharfClient client;
    private final Path jcmd;
    private final long pid;
    private final PrintStream out;
    private final List<String> trafficFailures = new ArrayList<>();
    private int cycle;
    private int pings;
    private int bursts;

    SoakRun(final SoakOptions options, final WharfClient client, final Path jcmd, final long pid, final PrintStream out)
    {
        this.options = options;
        this.client = client;
        this.jcmd = jcmd;
        this.pid = pid;
        this.out = out;
    }

    Result run()
    {
        final DaemonFootprint fresh = DaemonFootprint.sample(jcmd, pid);
        out.println("fresh daemon:        " + fresh.describe());
        DaemonFootprint baseline = null;
        DaemonFootprint end = null;
        int measured = 0;
        final long start = System.nanoTime();
        long measuredStart = start;
        String failure = null;
        try
        {
            for (int i = 0; i < options.warmupCycles() && failure == null; i++)
            {
                failure = cycle();
            }
            if (failure == null)
            {
                baseline = DaemonFootprint.sample(jcmd, pid);
                out.printf(Locale.ROOT, "after %d warm-up cycles: %s%n", options.warmupCycles(), baseline.describe());
                measuredStart = System.nanoTime();
                long lastProgress = measuredStart;
                while (failure == null && !options.finished(measured, (System.nanoTime() - measuredStart) / 1e9))
                {
                    failure = cycle();
                    measured++;
                    if (System.nanoTime() - lastProgress > PROGRESS_EVERY_NANOS)
                    {
                        lastProgress = System.nanoTime();
                        out.printf(Locale.ROOT, "  cycle %d: %s (%.0f s)%n", cycle, quickLook(), (lastProgress - measuredStart) / 1e9);
                    }
                }
            }
        }
        catch (final RuntimeException e)
        {
            // a failed API call (io.grpc.StatusRuntimeException) or command: the run ends here, the cleanup takes the rest down
            failure = "cycle " + cycle + ": " + e.getMessage();
        }
        final double seconds = (System.nanoTime() - measuredStart) / 1e9;
        if (baseline != null && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        {
            end = DaemonFootprint.sample(jcmd, pid);
            out.printf(Locale.ROOT, "after %d more cycles: %s%n", measured, end.describe());
        }
        return new Result(fresh, baseline, end, measured, seconds, pings, bursts, List.copyOf(trafficFailures), failure);
    }

    /** One cycle; returns why it failed when the traffic failed too often, else null. A failed step throws. */
    private String cycle()
    {
        cycle++;
        final String network = "soak" + cycle;
        client.networks().create(CreateNetworkRequest.newBuilder().setName(network).setSubnet(SoakHosts.SUBNET)
            .setGateway(SoakHosts.GATEWAY).build());
        client.ports().attach(AttachPortRequest.newBuilder().setNetwork(network).setName(SoakHosts.VETH).setIp(SoakHosts.IP_A).build());
        client.ports().attach(AttachPortRequest.newBuilder().setNetwork(network).setName(SoakHosts.TAP).setKind(PortKind.PORT_KIND_TAP)
            .setIp(SoakHosts.IP_B).build());
        SoakHosts.adoptTap();
        client.publish().add(AddPublishRequest.newBuilder().setNetwork(network).setContainerIp(SoakHosts.IP_B)
            .setContainerPort(SoakHosts.IPERF_PORT).setHostPort(PUBLISHED_PORT).setProtocol("tcp").build());
        SoakHosts.flushNeighbours();
        String trafficFailure = SoakHosts.ping() ? null : "no ping reply from " + SoakHosts.IP_B;
        pings++;
        if (trafficFailure == null && cycle % options.trafficEvery() == 0)
        {
            final String burst = SoakHosts.burst(PUBLISHED_PORT);
            bursts++;
            trafficFailure = burst == null ? null : "iperf3 through " + SoakHosts.GATEWAY + ":" + PUBLISHED_PORT + ": " + burst;
        }
        client.publish().remove(RemovePublishRequest.newBuilder().setNetwork(network).setHostPort(PUBLISHED_PORT).setProtocol("tcp").build());
        client.ports().detach(DetachPortRequest.newBuilder().setNetwork(network).setName(SoakHosts.TAP).build());
        client.ports().detach(DetachPortRequest.newBuilder().setNetwork(network).setName(SoakHosts.VETH).build());
        client.networks().remove(RemoveNetworkRequest.newBuilder().setName(network).build());
        if (trafficFailure != null)
        {
            trafficFailures.add("cycle " + cycle + ": " + trafficFailure);
            out.println("  cycle " + cycle + ": " + trafficFailure);
            if (trafficFailures.size() >= MAX_TRAFFIC_FAILURES)
            {
                return trafficFailures.size() + " cycles without traffic through the daemon";
            }
        }
        return null;
    }

    /** RSS, descriptors and threads from /proc alone: cheap enough for a progress line. */
    private String quickLook()
    {
        try
        {
            final String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return String.format(Locale.ROOT, "RSS %.1f MB, %d threads", DaemonFootprint.mb(DaemonFootprint.statusValue(status, "VmRSS")),
                DaemonFootprint.statusValue(status, "Threads"));
        }
        catch (final IOException e)
        {
            return "daemon gone (" + e.getMessage() + ")";
        }
    }
}
