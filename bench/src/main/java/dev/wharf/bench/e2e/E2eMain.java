package dev.wharf.bench.e2e;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code wharf bench e2e}: Wharf measured against the Linux bridge and Open vSwitch's userspace
 * datapath on this machine, in one run, and on request (--nat) Wharf's routed path with masquerade
 * against the kernel's (Linux bridge + nftables masquerade), or (--only vxlan-kernel,vxlan-ovs,vxlan-wharf,geneve-wharf)
 * Wharf's overlay across two hosts against the kernel's VXLAN device and OVS's userspace VXLAN port, or (--only lb-kernel,lb-wharf)
 * Wharf's load balancer against kube-proxy's nftables rules (requests and new connections per second to three nginx
 * backends through a VIP, and TCP through it). Checks the tools, sets up each switch in turn between two
 * namespaces, runs the measurements interleaved across repeats, and writes the Markdown table,
 * the PNG chart and the raw samples into {@code --out}. Run by the launcher as
 * {@code java -cp wharf-benchmarks.jar dev.wharf.bench.e2e.E2eMain ARGS}.
 * <p>
 * Exit status: 0 with results, 1 when nothing could be measured, 2 on a bad command line, a
 * missing tool or no root.
 */
public final class E2eMain
{
    private E2eMain()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    static int run(final String[] args)
    {
        final E2eOptions options;
        try
        {
            options = E2eOptions.parse(args, defaultLauncher());
        }
        catch (final E2eOptions.UsageException e)
        {
            if (e.getMessage() == null)
            {
                System.out.println(E2eOptions.USAGE);
                return 0;
            }
            System.err.println("wharf bench e2e: " + e.getMessage());
            System.err.println(E2eOptions.USAGE);
            return 2;
        }
        if (!"0".equals(Shell.run(5, "id", "-u").stdout().strip()))
        {
            System.err.println("wharf bench e2e: must run as root (it creates network namespaces, veths and bridges)");
            return 2;
        }
        final Set<String> missing = ToolCheck.missingPackages();
        if (!missing.isEmpty())
        {
            System.err.println("wharf bench e2e: missing tools; " + ToolCheck.installHint(missing.toArray(new String[0])));
            return 2;
        }

        final Cleanup cleanup = new Cleanup();
        cleanup.installShutdownHook();
        final List<String> leftovers = Leftovers.found();
        if (!leftovers.isEmpty())
        {
            System.out.println("removing leftovers of an earlier run: " + String.join(", ", leftovers));
            Leftovers.sweep();
        }

        final List<Measurement> measurements = measurements();
        final List<Scenario> selected = scenarios(options);
        final RunResults results = new RunResults(selected, measurements);
        final List<Scenario> runnable = new ArrayList<>();
        for (final Scenario scenario : selected)
        {
            final String reason = scenario.unavailableReason();
            if (reason == null)
            {
                runnable.add(scenario);
            }
            else
            {
                results.skip(scenario.id(), reason);
                System.out.println(scenario.id() + ": skipped: " + reason);
            }
        }
        if (runnable.isEmpty())
        {
            System.err.println("wharf bench e2e: no switch can be measured here");
            return 1;
        }

        final MachineInfo machine = MachineInfo.collect();
        System.out.println("wharf bench e2e: " + String.join(", ", runnable.stream().map(Scenario::id).toList()) + "; " +
            options.repeats() + " repeat(s), " + Math.round(options.durationSeconds()) + " s per traffic test; on " + machine.summary());
        final Path workRoot;
        try
        {
            workRoot = Files.createTempDirectory(HarnessPrefix.name("run-"));
        }
        catch (final IOException e)
        {
            System.err.println("wharf bench e2e: cannot create a work directory: " + e.getMessage());
            return 1;
        }
        try
        {
            new BenchmarkRunner(runnable, measurements, options, workRoot, cleanup).run(results);
        }
        finally
        {
            cleanup.runAll();
        }

        final int status = report(results, machine, options);
        if (results.failures().isEmpty())
        {
            deleteTree(workRoot);
        }
        else
        {
            System.out.println("logs of the failed runs kept in " + workRoot);
        }
        return status;
    }

    /**
     * The measurements, in the order they run for each switch. Latency comes last: by then a JIT-compiled
     * switch is warm and has learned both MACs, as it would be in service, and the path is idle again.
     */
    static List<Measurement> measurements()
    {
        return List.of(
            new SmallPacketRateMeasurement(),
            new TcpThroughputMeasurement(1),
            new TcpThroughputMeasurement(4),
            new LatencyMeasurement(),
            // the load balancer's own figures: only its scenarios measure them, and they measure only these
            HttpLoadMeasurement.keepAlive(),
            HttpLoadMeasurement.newConnections(),
            TcpThroughputMeasurement.throughVip(1));
    }

    static List<Scenario> scenarios(final E2eOptions options)
    {
        final List<Scenario> scenarios = new ArrayList<>();
        for (final String id : options.only())
        {
            scenarios.add(switch (id)
            {
                case "bridge" -> new LinuxBridgeScenario();
                case "ovs" -> OvsScenario.checksumOffloadOff();
                case "ovs-tso" -> OvsScenario.userspaceTso();
                case "wharf" -> new WharfScenario(options.wharf());
                case "nat-kernel" -> new NatKernelScenario();
                case "nat-wharf" -> new NatWharfScenario(options.wharf());
                case "vxlan-kernel" -> new VxlanKernelScenario();
                case "vxlan-ovs" -> new OvsVxlanScenario();
                case "vxlan-wharf" -> WharfOverlayScenario.vxlan(options.wharf());
                case "geneve-wharf" -> WharfOverlayScenario.geneve(options.wharf());
                case "lb-kernel" -> new LbKernelScenario();
                case "lb-wharf" -> new LbWharfScenario(options.wharf());
                default -> throw new IllegalArgumentException(id);
            });
        }
        return scenarios;
    }

    private static int report(final RunResults results, final MachineInfo machine, final E2eOptions options)
    {
        final MarkdownReport markdown = new MarkdownReport(results, machine, options);
        final String page = markdown.render();
        System.out.println();
        System.out.println(markdown.tables(true));
        if (!results.failures().isEmpty())
        {
            System.out.println(results.failures().size() + " failure(s):");
            results.failures().forEach(f -> System.out.println("  " + f));
        }
        try
        {
            final Path out = Files.createDirectories(options.out());
            Files.writeString(out.resolve("e2e-results.md"), page);
            new BarChart(results, machine, options).write(out.resolve("e2e-chart.png"));
            final RawSamplesWriter raw = new RawSamplesWriter(results, machine, options);
            raw.writeCsv(out.resolve("e2e-samples.csv"));
            raw.writeJson(out.resolve("e2e-samples.json"));
            System.out.println("written: " + out.resolve("e2e-results.md") + ", e2e-chart.png, e2e-samples.csv, e2e-samples.json");
        }
        catch (final IOException e)
        {
            System.err.println("wharf bench e2e: cannot write the results into " + options.out() + ": " + e.getMessage());
            return 1;
        }
        return results.samples().isEmpty() ? 1 : 0;
    }

    /**
     * The {@code wharf} launcher at the repository root: found upwards from this jar
     * ({@code bench/target/wharf-benchmarks.jar}), else from the working directory.
     */
    static Path defaultLauncher()
    {
        final List<Path> starts = new ArrayList<>();
        try
        {
            starts.add(Path.of(E2eMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
        }
        catch (final URISyntaxException | RuntimeException e)
        {
            // no code source (unusual class loader): the working directory is the fallback
        }
        starts.add(Path.of("").toAbsolutePath());
        for (final Path start : starts)
        {
            for (Path dir = start; dir != null; dir = dir.getParent())
            {
                if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("bench")))
                {
                    return dir.resolve("wharf");
                }
            }
        }
        return Path.of("wharf").toAbsolutePath();
    }

    private static void deleteTree(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException e)
        {
            // a temporary directory left behind is harmless
        }
    }
}
