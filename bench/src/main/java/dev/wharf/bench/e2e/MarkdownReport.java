package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown page of a run: the machine and date, the tables of the headline figures (median
 * and min–max per switch, then Wharf's median over each anchor's), those of the details, what each
 * switch was, how each figure was measured, and what was skipped or failed. Bridged, routed and
 * overlay scenarios get a table each, and a subject is compared only with the anchors of its own kind;
 * a figure a scenario cannot measure ({@link Scenario#supports}) shows as n/a.
 */
final class MarkdownReport
{
    private final RunResults results;
    private final MachineInfo machine;
    private final E2eOptions options;

    MarkdownReport(final RunResults results, final MachineInfo machine, final E2eOptions options)
    {
        this.results = results;
        this.machine = machine;
        this.options = options;
    }

    String render()
    {
        final StringBuilder md = new StringBuilder();
        md.append("# Wharf end-to-end benchmark\n\n");
        md.append("Measured ").append(machine.get("date")).append(" on ").append(machine.summary()).append("; ")
            .append(options.repeats()).append(options.repeats() == 1 ? " repeat" : " repeats").append(" of ")
            .append(format(options.durationSeconds(), 0)).append(" s per traffic test, switches interleaved.\n\n");
        final boolean routed = kinds().contains(Scenario.Kind.ROUTED);
        final boolean overlay = kinds().contains(Scenario.Kind.OVERLAY);
        md.append(tables(true)).append('\n');
        md.append("Each cell: median (min–max) over the repeats. Ratios: Wharf's median over the anchor's")
            .append(kinds().size() > 1 ? " of the same kind (" + sameKindPairs() + ")" : "").append("; ")
            .append("above 1 is better for throughput and packet rate, below 1 is better for latency and CPU.");
        if (routed)
        {
            md.append(" n/a on the routed path: the 64 B test sends frames addressed to c2's MAC, which cannot cross a router, ")
                .append("and the CPU figures are taken during that test.");
        }
        md.append("\n\n");
        md.append("### Details\n\n").append(tables(false)).append('\n');
        md.append("### Switches\n\n");
        for (final Scenario scenario : results.scenarios())
        {
            md.append("- `").append(scenario.id()).append("`: ").append(scenario.description()).append('\n');
        }
        md.append("\n### How each figure is measured\n\n");
        // a load-balancer-only run has none of the switch figures: their bullets would describe tests that did not run
        final boolean switchFigures = kinds().stream().anyMatch(kind -> !kind.ownMetricsOnly());
        if (switchFigures)
        {
            md.append("- Topology, rebuilt for every switch and repeat: namespaces `").append(ContainerPair.C1)
                .append("` (10.77.0.1/24) and `").append(ContainerPair.C2).append("` (10.77.0.2/24), each with a veth pair whose host end (`")
                .append(ContainerPair.HOST_END_1).append("`, `").append(ContainerPair.HOST_END_2).append("`) is a port of the switch.\n");
        }
        if (routed)
        {
            md.append("- Routed + masquerade: c1 becomes 10.76.0.1/24 with a default route via 10.76.0.254, the router's address behind `")
                .append(ContainerPair.HOST_END_1).append("`; `").append(ContainerPair.HOST_END_2).append("` is the router's uplink with 10.77.0.254/24, and c1's connections leave it masqueraded to 10.77.0.254, ")
                .append("so c2 (10.77.0.2/24, the outside server) needs no route back. Only TCP and ping are measured there.\n");
        }
        if (overlay)
        {
            md.append("- Overlay: c1 and c2 keep their addresses, but each host end sits in a host namespace of its own (`")
                .append(OverlayHosts.HOST_A).append("`, `").append(OverlayHosts.HOST_B).append("`) joined by a veth underlay (")
                .append(OverlayHosts.UNDERLAY_IP_A).append("/24 — ").append(OverlayHosts.UNDERLAY_IP_B)
                .append("/24); each host's tunnel endpoint carries c1's frames to the other across it (VNI ").append(OverlayHosts.VNI)
                .append("). Both containers' `eth0` have MTU ").append(OverlayHosts.CONTAINER_MTU)
                .append(" in every overlay scenario, as the kernel's vxlan device needs (it neither clamps the MSS nor fragments). ")
                .append("A userspace switch runs one process per host: its CPU figures add both hosts' up.\n");
        }
        if (kinds().contains(Scenario.Kind.LOAD_BALANCED))
        {
            md.append("- Load balancer: every host end sits in a router namespace (`").append(LbTopology.ROUTER)
                .append("`) where the balancer runs; c1 (").append(LbTopology.CLIENT_IP).append("/24, via ").append(LbTopology.CLIENT_GATEWAY)
                .append(") is the client, c2 and two more namespaces (").append(String.join(", ", LbTopology.BACKENDS.stream().map(LbTopology.Backend::ip).toList()))
                .append(", via ").append(LbTopology.BACKEND_GATEWAY).append(") the backends, each an nginx (one worker, a 6-byte file) on port ")
                .append(LbTopology.BACKEND_PORT).append(". The VIP ").append(LbTopology.VIP).append(" lies outside both subnets, as a ClusterIP does; ")
                .append("the balancer only translates destinations (the backends route back through it). Requests: wrk in c1, ")
                .append(HttpLoadMeasurement.THREADS).append(" threads, ").append(HttpLoadMeasurement.CONNECTIONS).append(" connections, ")
                .append(Math.max(1, Math.round(options.durationSeconds()))).append(" s after a 1 s warm-up, to http://").append(LbTopology.VIP).append("/; ")
                .append("keep-alive for requests per second, `Connection: close` (one TCP connection per request) for new connections per second. ")
                .append("TCP through the VIP: iperf3 from c1 to ").append(LbTopology.VIP).append(':').append(LbTopology.IPERF_PORT)
                .append(", a second service whose one backend is c2. Before measuring, requests through the VIP must have reached all three backends. ")
                .append("Switch process CPU per 1,000 requests: utime+stime of the Wharf daemon's JVM over the wrk run (the kernel balances in softirq: n/a).\n");
        }
        if (switchFigures)
        {
            md.append("- TCP: iperf3 from c1 to c2, ").append(Math.max(1, Math.round(options.durationSeconds())))
                .append(" s, 1 and 4 parallel streams; the receiver's rate (`end.sum_received`).\n");
            md.append("- Packet rate: trafgen (one CPU, `--no-sock-mem`) sends 60-byte UDP frames (64 B with FCS) from c1; ")
                .append("counted by c2's `eth0` rx counter over ").append(format(options.durationSeconds(), 0))
                .append(" s after a 1 s warm-up: what the switch delivered, not what was offered.\n");
            md.append("- Latency: ").append(LatencyMeasurement.count(options.durationSeconds()))
                .append(" pings c1 → c2 at 10 ms intervals, after the traffic tests (switch warm, path idle again); average and p99 (nearest rank) of the individual RTTs.\n");
            md.append("- Switch process CPU per Mpkt: utime+stime from `/proc/PID/stat` of the switch's process ")
                .append("(ovs-vswitchd; the Wharf daemon's JVM) during the packet-rate test, per million packets received. ")
                .append("The Linux bridge has no process: it forwards in the kernel's softirq context, hence n/a.\n");
            md.append("- Host softirq CPU per Mpkt: the softirq column of `/proc/stat` (all CPUs) over the same interval. ")
                .append("It covers the bridge's forwarding, and for every switch the veths' receive paths and c2's stack; ")
                .append("on kernels without IRQ time accounting it is sampled by the tick, and softirq work done inside the ")
                .append("switch's system calls is counted in both figures.\n");
        }
        md.append("- The machine is shared with whatever else runs on it; compare switches within one run.\n");
        if (!results.skipped().isEmpty())
        {
            md.append("\n### Skipped\n\n");
            for (final Map.Entry<String, String> skip : results.skipped().entrySet())
            {
                md.append("- `").append(skip.getKey()).append("`: ").append(skip.getValue()).append('\n');
            }
        }
        if (!results.failures().isEmpty())
        {
            md.append("\n### Failures\n\n");
            for (final String failure : results.failures())
            {
                md.append("- ").append(failure.replace("\n", " ")).append('\n');
            }
        }
        md.append("\nTools: ").append(machine.get("iperf3")).append("; ").append(machine.get("trafgen"));
        if (!"?".equals(machine.get("ovs")))
        {
            md.append("; ").append(machine.get("ovs"));
        }
        md.append(".\n\nReproduce: `./wharf bench e2e --duration ").append(format(options.durationSeconds(), 0))
            .append("s --repeat ").append(options.repeats()).append(" --only ").append(String.join(",", options.only())).append("`\n");
        return md.toString();
    }

    /**
     * The headline tables (with ratio columns) or the details tables: one per kind of scenario in
     * the run (bridged, routed + masquerade), each titled unless the run is bridged only, so that a
     * subject's ratios are taken only against the anchors of its own kind.
     */
    String tables(final boolean headline)
    {
        final List<Scenario.Kind> kinds = kinds();
        if (kinds.isEmpty() || kinds.equals(List.of(Scenario.Kind.BRIDGED)))
        {
            // a bridged-only run (the default) looks as it always has
            return table(headline, Scenario.Kind.BRIDGED);
        }
        final StringBuilder t = new StringBuilder();
        for (final Scenario.Kind kind : kinds)
        {
            if (!t.isEmpty())
            {
                t.append('\n');
            }
            t.append("**").append(kind.title()).append("**\n\n").append(table(headline, kind));
        }
        return t.toString();
    }

    /** "bridged against bridged, routed against routed" for the kinds in the run. */
    private String sameKindPairs()
    {
        final List<String> pairs = new ArrayList<>();
        for (final Scenario.Kind kind : kinds())
        {
            final String name = kind.name().toLowerCase(Locale.ROOT);
            pairs.add(name + " against " + name);
        }
        return String.join(", ", pairs);
    }

    /** The kinds of scenario in the run: bridged first, then routed, then overlay, whatever the order of --only. */
    private List<Scenario.Kind> kinds()
    {
        final List<Scenario.Kind> kinds = new ArrayList<>();
        for (final Scenario.Kind kind : Scenario.Kind.values())
        {
            if (results.scenarios().stream().anyMatch(scenario -> scenario.kind() == kind))
            {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** The headline table (with ratio columns: each subject over each anchor) or the details table of one kind. */
    String table(final boolean headline, final Scenario.Kind kind)
    {
        final List<Scenario> scenarios = new ArrayList<>();
        final List<Scenario> subjects = new ArrayList<>();
        final List<Scenario> anchors = new ArrayList<>();
        for (final Scenario scenario : results.scenarios())
        {
            if (scenario.kind() == kind)
            {
                scenarios.add(scenario);
                (scenario.isSubject() ? subjects : anchors).add(scenario);
            }
        }
        if (!headline)
        {
            subjects.clear();
        }
        final StringBuilder t = new StringBuilder("| figure |");
        for (final Scenario scenario : scenarios)
        {
            t.append(' ').append(scenario.id()).append(" |");
        }
        for (final Scenario subject : subjects)
        {
            for (final Scenario anchor : anchors)
            {
                t.append(' ').append(subject.id()).append('/').append(anchor.id()).append(" |");
            }
        }
        t.append("\n|---|");
        t.append("---:|".repeat(scenarios.size() + subjects.size() * anchors.size()));
        t.append('\n');
        for (final Metric metric : results.metrics())
        {
            if (metric.headline() != headline || !belongs(metric, kind))
            {
                continue;
            }
            t.append("| ").append(metric.label()).append(" (").append(metric.unit());
            if (headline)
            {
                t.append(metric.higherIsBetter() ? ", higher is better" : ", lower is better");
            }
            t.append(") |");
            for (final Scenario scenario : scenarios)
            {
                t.append(' ').append(cell(scenario, metric)).append(" |");
            }
            for (final Scenario subject : subjects)
            {
                for (final Scenario anchor : anchors)
                {
                    t.append(' ').append(ratio(subject, anchor, metric)).append(" |");
                }
            }
            t.append('\n');
        }
        return t.toString();
    }

    /** Whether {@code metric} has a row in {@code kind}'s tables: a kind's own figures appear in its tables alone. */
    static boolean belongs(final Metric metric, final Scenario.Kind kind)
    {
        return metric.kind() == null ? !kind.ownMetricsOnly() : metric.kind() == kind;
    }

    private String cell(final Scenario scenario, final Metric metric)
    {
        if (!scenario.supports(metric))
        {
            return "n/a";
        }
        if (!results.measured(scenario.id(), metric))
        {
            return results.skipped().containsKey(scenario.id()) ? "skipped" : "—";
        }
        final Statistics.Summary s = results.summary(scenario.id(), metric);
        if (s.n() == 0)
        {
            return scenario.switchProcesses().isEmpty() && metric.id().startsWith("switch_") ? "kernel (n/a)" : "n/a";
        }
        if (s.n() == 1)
        {
            return metric.format(s.median());
        }
        return metric.format(s.median()) + " (" + metric.format(s.min()) + "–" + metric.format(s.max()) + ")";
    }

    private String ratio(final Scenario subject, final Scenario anchor, final Metric metric)
    {
        if (!subject.supports(metric) || !anchor.supports(metric))
        {
            return "n/a";
        }
        final double mine = results.summary(subject.id(), metric).median();
        final double theirs = results.summary(anchor.id(), metric).median();
        if (Double.isNaN(mine) || Double.isNaN(theirs) || theirs == 0)
        {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f×", mine / theirs);
    }

    private static String format(final double value, final int decimals)
    {
        if (value == Math.rint(value))
        {
            return Long.toString((long)value);
        }
        return String.format(Locale.ROOT, "%." + Math.max(1, decimals) + "f", value);
    }
}
