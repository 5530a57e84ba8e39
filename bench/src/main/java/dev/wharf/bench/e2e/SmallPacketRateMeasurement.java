package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Small-packet rate delivered at the receiver, and what it costs the switch. trafgen (netsniff-ng)
 * sends minimum-size UDP frames from c1 to c2 as fast as it can on one CPU; after a warm-up the
 * harness reads c2's {@code eth0} rx counter (what the switch delivered, not what was offered),
 * c1's tx counter, the switch processes' CPU time and the host's softirq time, waits
 * {@code --duration}, and reads them again.
 * <p>
 * The frame is 60 bytes (64 on a wire with the FCS): Ethernet, IPv4, UDP to port 9, 18 bytes of
 * zeros. No socket listens in c2, so the kernel answers with rate-limited ICMP errors; counting
 * at the interface keeps the receiver's socket layer out of the figure.
 * <p>
 * The frames carry c2's MAC as their destination, so they cannot cross a router: every figure
 * here is {@link Metric#sameSegmentOnly()}, and routed scenarios skip this measurement.
 */
final class SmallPacketRateMeasurement implements Measurement
{
    private static final double WARMUP_SECONDS = 1.0;

    private static final Metric RECEIVED = Metric.headline("pps_rx_k", "64 B packets at receiver", "kpps", true, 0).sameSegment();
    private static final Metric SENT = Metric.detail("pps_tx_k", "64 B packets sent by trafgen", "kpps", 0).sameSegment();
    private static final Metric SWITCH_CPU = Metric.headline("switch_cpu_ms_per_mpkt", "Switch process CPU per Mpkt", "ms", false, 0).sameSegment();
    private static final Metric SWITCH_CORES = Metric.detail("switch_cpu_cores", "Switch process CPU during the packet test", "cores", 2).sameSegment();
    private static final Metric SOFTIRQ = Metric.headline("softirq_ms_per_mpkt", "Host softirq CPU per Mpkt", "ms", false, 0).sameSegment();

    @Override
    public String title()
    {
        return "64-byte packet rate (trafgen)";
    }

    @Override
    public List<Metric> metrics()
    {
        return List.of(RECEIVED, SENT, SWITCH_CPU, SWITCH_CORES, SOFTIRQ);
    }

    @Override
    public double estimatedSeconds(final double durationSeconds)
    {
        return durationSeconds + WARMUP_SECONDS + 1;
    }

    @Override
    public List<Sample> run(final Context context)
    {
        final ContainerPair containers = context.containers();
        final Path config = writeConfig(context.workDir(), containers.mac(ContainerPair.C1), containers.mac(ContainerPair.C2));
        final BackgroundProcess trafgen = BackgroundProcess.start("trafgen", List.of(
                "ip", "netns", "exec", ContainerPair.C1,
                "trafgen", "--dev", ContainerPair.DEVICE, "--conf", config.toString(), "--cpus", "1",
                // leave the host's socket memory sysctls and IRQ affinities as they are
                "--no-sock-mem", "--notouch-irq", "--no-cpu-stats"),
            Map.of(), context.workDir().resolve("trafgen.log"), context.cleanup());
        try
        {
            sleep(WARMUP_SECONDS);
            trafgen.requireAlive();
            final List<ProcessHandle> switchProcesses = context.scenario().switchProcesses();
            final Reading start = Reading.take(containers, switchProcesses);
            sleep(context.durationSeconds());
            final Reading end = Reading.take(containers, switchProcesses);
            trafgen.requireAlive();

            final double seconds = (end.nanos - start.nanos) / 1e9;
            final double received = end.rxPackets - start.rxPackets;
            final double sent = end.txPackets - start.txPackets;
            if (received <= 0)
            {
                throw new HarnessException("no packets reached " + ContainerPair.C2 + " (" + (long)sent + " sent)");
            }
            final double switchMs = end.switchCpuMs - start.switchCpuMs;
            final double millionPackets = received / 1e6;
            final boolean hasProcess = !switchProcesses.isEmpty();
            return List.of(
                context.sample(RECEIVED, received / seconds / 1e3),
                context.sample(SENT, sent / seconds / 1e3),
                context.sample(SWITCH_CPU, hasProcess ? switchMs / millionPackets : Double.NaN),
                context.sample(SWITCH_CORES, hasProcess ? switchMs / 1e3 / seconds : Double.NaN),
                context.sample(SOFTIRQ, (end.softirqMs - start.softirqMs) / millionPackets));
        }
        finally
        {
            trafgen.stop();
        }
    }

    /** Counters read at one instant (as near as a few short commands allow). */
    private record Reading(long nanos, long rxPackets, long txPackets, double switchCpuMs, double softirqMs)
    {
        static Reading take(final ContainerPair containers, final List<ProcessHandle> switchProcesses)
        {
            final long rx = containers.rxPackets(ContainerPair.C2);
            final long nanos = System.nanoTime();
            final double cpu = CpuCounters.processMs(switchProcesses);
            final double softirq = CpuCounters.softirqMs();
            final long tx = containers.txPackets(ContainerPair.C1);
            return new Reading(nanos, rx, tx, cpu, softirq);
        }
    }

    static Path writeConfig(final Path dir, final String sourceMac, final String destinationMac)
    {
        final String config = "/* written by wharf bench e2e: one 60-byte UDP frame, " + ContainerPair.IP1 + " -> " + ContainerPair.IP2 + ":9 */\n" +
            "{\n" +
            "  " + macBytes(destinationMac) + ",\n" +
            "  " + macBytes(sourceMac) + ",\n" +
            "  c16(0x0800),\n" +
            "  0x45, 0x00, c16(46), c16(0), c16(0x4000), 64, 17, csumip(14, 33),\n" +
            "  " + ContainerPair.IP1.replace('.', ',') + ",\n" +
            "  " + ContainerPair.IP2.replace('.', ',') + ",\n" +
            "  c16(40000), c16(9), c16(26), c16(0),\n" +
            "  fill(0x00, 18),\n" +
            "}\n";
        final Path file = dir.resolve("trafgen-udp64.cfg");
        try
        {
            Files.writeString(file, config);
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static String macBytes(final String mac)
    {
        return "0x" + mac.replace(":", ", 0x");
    }

    private static void sleep(final double seconds)
    {
        try
        {
            Thread.sleep((long)(seconds * 1000));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }
}
