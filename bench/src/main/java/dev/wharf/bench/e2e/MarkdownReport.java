package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown page of a run: the machine and date, one table of the headline figures (median
 * and min–max per switch, then Wharf's median over each anchor's), one of the details, what each
 * switch was, how each figure was measured, and what was skipped or failed.
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
        md.append(table(true)).append('\n');
        md.append("Each cell: median (min–max) over the repeats. Ratios: Wharf's median over the anchor's; ")
            .append("above 1 is better for throughput and packet rate, below 1 is better for latency and CPU.\n\n");
        md.append("### Details\n\n").append(table(false)).append('\n');
        md.append("### Switches\n\n");
        for (final Scenario scenario : results.scenarios())
        {
            md.append("- `").append(scenario.id()).append("`: ").append(scenario.description()).append('\n');
        }
        md.append("\n### How each figure is measured\n\n");
        md.append("- Topology, rebuilt for every switch and repeat: namespaces `wbe-c1` (10.77.0.1/24) and `wbe-c2` (10.77.0.2/24), ")
            .append("each with a veth pair whose host end (`wbe-h1`, `wbe-h2`) is a port of the switch.\n");
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

    /** The headline table (with ratio columns) or the details table. */
    String table(final boolean headline)
    {
        final List<Scenario> scenarios = results.scenarios();
        final Scenario subject = subject();
        final List<Scenario> anchors = new ArrayList<>();
        if (headline && subject != null)
        {
            for (final Scenario scenario : scenarios)
            {
                if (!scenario.isSubject())
                {
                    anchors.add(scenario);
                }
            }
        }
        final StringBuilder t = new StringBuilder("| figure |");
        for (final Scenario scenario : scenarios)
        {
            t.append(' ').append(scenario.id()).append(" |");
        }
        for (final Scenario anchor : anchors)
        {
            t.append(' ').append(subject.id()).append('/').append(anchor.id()).append(" |");
        }
        t.append("\n|---|");
        t.append("---:|".repeat(scenarios.size() + anchors.size()));
        t.append('\n');
        for (final Metric metric : results.metrics())
        {
            if (metric.headline() != headline)
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
            for (final Scenario anchor : anchors)
            {
                t.append(' ').append(ratio(subject, anchor, metric)).append(" |");
            }
            t.append('\n');
        }
        return t.toString();
    }

    private Scenario subject()
    {
        for (final Scenario scenario : results.scenarios())
        {
            if (scenario.isSubject())
            {
                return scenario;
            }
        }
        return null;
    }

    private String cell(final Scenario scenario, final Metric metric)
    {
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
