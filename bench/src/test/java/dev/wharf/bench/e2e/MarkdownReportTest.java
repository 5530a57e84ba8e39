package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkdownReportTest
{
    private static final Scenario.Kind BRIDGED = Scenario.Kind.BRIDGED;
    private static final Scenario.Kind ROUTED = Scenario.Kind.ROUTED;
    private static final MachineInfo MACHINE = new MachineInfo(Map.of("date", "2026-01-01 00:00 UTC"));

    private final List<Measurement> measurements = E2eMain.measurements();

    private static E2eOptions options(final String... only)
    {
        return new E2eOptions(5, 1, List.of(only), Path.of("out"), Path.of("wharf"));
    }

    private Metric metric(final String id)
    {
        return measurements.stream().flatMap(m -> m.metrics().stream()).filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    private void add(final RunResults results, final String scenario, final String metric, final double value)
    {
        results.add(List.of(new Sample(scenario, 1, metric(metric), value, 0)));
    }

    /** The cells of the table row whose label starts with {@code label}. */
    private static List<String> row(final String table, final String label)
    {
        for (final String line : table.split("\n"))
        {
            if (line.startsWith("| " + label))
            {
                final String[] cells = line.split("\\|");
                return List.of(cells).subList(2, cells.length).stream().map(String::strip).toList();
            }
        }
        throw new AssertionError("no row " + label + " in\n" + table);
    }

    private static String section(final String tables, final Scenario.Kind kind)
    {
        final int start = tables.indexOf("**" + kind.title() + "**");
        assertTrue(start >= 0, tables);
        final int next = tables.indexOf("**", start + kind.title().length() + 4);
        return next < 0 ? tables.substring(start) : tables.substring(start, next);
    }

    private RunResults mixedRun()
    {
        final RunResults results = new RunResults(List.of(
            FakeScenario.anchor("nat-kernel", ROUTED),
            FakeScenario.anchor("bridge", BRIDGED),
            FakeScenario.subject("wharf", BRIDGED),
            FakeScenario.subject("nat-wharf", ROUTED)), measurements);
        add(results, "bridge", "pps_rx_k", 600);
        add(results, "wharf", "pps_rx_k", 780);
        add(results, "bridge", "tcp1_gbps", 10);
        add(results, "wharf", "tcp1_gbps", 8);
        add(results, "nat-kernel", "tcp1_gbps", 5);
        add(results, "nat-wharf", "tcp1_gbps", 4);
        add(results, "nat-kernel", "ping_avg_ms", 0.08);
        add(results, "nat-wharf", "ping_avg_ms", 0.1);
        return results;
    }

    @Test
    void bridgedAndRoutedScenariosGetATableEachWithRatiosWithinTheirKind()
    {
        final String tables = new MarkdownReport(mixedRun(), MACHINE, options()).tables(true);
        final String bridged = section(tables, BRIDGED);
        final String routed = section(tables, ROUTED);
        assertTrue(tables.indexOf(BRIDGED.title()) < tables.indexOf(ROUTED.title()), "bridged first, whatever the order of --only");

        assertTrue(bridged.startsWith("**" + BRIDGED.title() + "**\n\n| figure | bridge | wharf | wharf/bridge |\n"), bridged);
        assertEquals(List.of("10.00", "8.00", "0.80×"), row(bridged, "TCP, 1 stream"));
        assertEquals(List.of("600", "780", "1.30×"), row(bridged, "64 B packets at receiver"));

        assertTrue(routed.contains("| figure | nat-kernel | nat-wharf | nat-wharf/nat-kernel |\n"), routed);
        assertFalse(routed.contains("wharf/bridge"), routed);
        assertEquals(List.of("5.00", "4.00", "0.80×"), row(routed, "TCP, 1 stream"));
        assertEquals(List.of("0.080", "0.100", "1.25×"), row(routed, "Ping RTT, average"));
    }

    @Test
    void figuresARoutedPathCannotCarryAreNotApplicable()
    {
        final String routed = section(new MarkdownReport(mixedRun(), MACHINE, options()).tables(true), ROUTED);
        assertEquals(List.of("n/a", "n/a", "n/a"), row(routed, "64 B packets at receiver"));
        assertEquals(List.of("n/a", "n/a", "n/a"), row(routed, "Switch process CPU per Mpkt"));
        assertEquals(List.of("n/a", "n/a", "n/a"), row(routed, "Host softirq CPU per Mpkt"));
        // measurable but not measured (a failed test): a dash, not n/a
        assertEquals(List.of("—", "—", "—"), row(routed, "TCP, 4 streams"));

        final String details = section(new MarkdownReport(mixedRun(), MACHINE, options()).tables(false), ROUTED);
        assertTrue(details.contains("| figure | nat-kernel | nat-wharf |\n"), details);
        assertEquals(List.of("n/a", "n/a"), row(details, "64 B packets sent by trafgen"));
    }

    @Test
    void aSkippedRoutedSubjectShowsSkippedWhereItCouldHaveMeasured()
    {
        final RunResults results = new RunResults(List.of(
            FakeScenario.anchor("nat-kernel", ROUTED), FakeScenario.subject("nat-wharf", ROUTED)), measurements);
        results.skip("nat-wharf", "this Wharf has no 'uplink set' command");
        add(results, "nat-kernel", "tcp1_gbps", 5.3);
        final MarkdownReport report = new MarkdownReport(results, MACHINE, options("nat-kernel", "nat-wharf"));
        final String table = report.tables(true);
        // routed only: still titled, so that the addressing is said
        assertTrue(table.startsWith("**" + ROUTED.title() + "**\n\n| figure | nat-kernel | nat-wharf | nat-wharf/nat-kernel |\n"), table);
        assertEquals(List.of("5.30", "skipped", "—"), row(table, "TCP, 1 stream"));
        assertEquals(List.of("n/a", "n/a", "n/a"), row(table, "64 B packets at receiver"));

        final String page = report.render();
        assertTrue(page.contains("- `nat-wharf`: this Wharf has no 'uplink set' command"), page);
        assertTrue(page.contains("n/a on the routed path"), page);
        assertTrue(page.contains("--only nat-kernel,nat-wharf"), page);
    }

    @Test
    void aBridgedOnlyRunLooksAsBefore()
    {
        final RunResults results = new RunResults(List.of(
            FakeScenario.anchor("bridge", BRIDGED), FakeScenario.subject("wharf", BRIDGED)), measurements);
        add(results, "bridge", "switch_cpu_ms_per_mpkt", Double.NaN);
        add(results, "wharf", "switch_cpu_ms_per_mpkt", 1250);
        final MarkdownReport report = new MarkdownReport(results, MACHINE, options("bridge", "wharf"));
        final String table = report.tables(true);
        assertTrue(table.startsWith("| figure | bridge | wharf | wharf/bridge |\n"), table);
        assertFalse(table.contains("**"), table);
        assertEquals(List.of("kernel (n/a)", "1250", "—"), row(table, "Switch process CPU per Mpkt"));
        final String page = report.render();
        assertFalse(page.contains("routed"), page);
        assertFalse(page.contains("of the same kind"), page);
    }

    @Test
    void overlayScenariosGetTheirOwnTableWithRatiosAgainstTheKernelVxlanDevice()
    {
        final Scenario.Kind overlay = Scenario.Kind.OVERLAY;
        final RunResults results = new RunResults(List.of(
            FakeScenario.subject("geneve-wharf", overlay),
            FakeScenario.anchor("bridge", BRIDGED),
            FakeScenario.anchor("vxlan-kernel", overlay),
            FakeScenario.subject("vxlan-wharf", overlay)), measurements);
        add(results, "bridge", "tcp1_gbps", 12);
        add(results, "vxlan-kernel", "tcp1_gbps", 10);
        add(results, "vxlan-wharf", "tcp1_gbps", 5);
        add(results, "geneve-wharf", "tcp1_gbps", 4);
        add(results, "vxlan-kernel", "pps_rx_k", 300);
        add(results, "vxlan-wharf", "pps_rx_k", 450);
        final MarkdownReport report = new MarkdownReport(results, MACHINE, options("bridge", "vxlan-kernel", "vxlan-wharf", "geneve-wharf"));
        final String tables = report.tables(true);
        assertTrue(tables.indexOf(BRIDGED.title()) < tables.indexOf(overlay.title()), tables);
        final String table = section(tables, overlay);
        assertTrue(table.contains("| figure | geneve-wharf | vxlan-kernel | vxlan-wharf | geneve-wharf/vxlan-kernel | vxlan-wharf/vxlan-kernel |\n"),
            table);
        assertFalse(table.contains("/bridge"), table);
        assertEquals(List.of("4.00", "10.00", "5.00", "0.40×", "0.50×"), row(table, "TCP, 1 stream"));
        // one L2 network across the hosts: the 64 B test applies, unmeasured cells are dashes, not n/a
        assertEquals(List.of("—", "300", "450", "—", "1.50×"), row(table, "64 B packets at receiver"));

        final String page = report.render();
        assertTrue(page.contains("of the same kind (bridged against bridged, overlay against overlay)"), page);
        assertTrue(page.contains("MTU 1450 in every overlay scenario"), page);
        assertTrue(page.contains("its CPU figures add both hosts' up"), page);
        assertFalse(page.contains("n/a on the routed path"), page);
    }

    @Test
    void aLoadBalancerRunShowsItsOwnFiguresAlone(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final Scenario.Kind balanced = Scenario.Kind.LOAD_BALANCED;
        final RunResults results = new RunResults(List.of(
            FakeScenario.anchor("lb-kernel", balanced), FakeScenario.subject("lb-wharf", balanced)), measurements);
        add(results, "lb-kernel", "lb_rps", 20_000);
        add(results, "lb-wharf", "lb_rps", 24_000);
        add(results, "lb-kernel", "lb_cps", 6_000);
        add(results, "lb-wharf", "lb_cps", 5_000);
        add(results, "lb-kernel", "lb_tcp1_gbps", 8);
        add(results, "lb-wharf", "lb_tcp1_gbps", 4);
        final MarkdownReport report = new MarkdownReport(results, MACHINE, options("lb-kernel", "lb-wharf"));
        final String table = report.tables(true);
        assertTrue(table.startsWith("**" + balanced.title() + "**\n\n| figure | lb-kernel | lb-wharf | lb-wharf/lb-kernel |\n"), table);
        assertEquals(List.of("20000", "24000", "1.20×"), row(table, "HTTP requests, keep-alive"));
        assertEquals(List.of("6000", "5000", "0.83×"), row(table, "New connections"));
        assertEquals(List.of("8.00", "4.00", "0.50×"), row(table, "TCP through the VIP to one backend, 1 stream"));
        for (final String switchFigure : new String[] {"| 64 B packets", "| TCP, 1 stream", "| Ping RTT", "| Switch process CPU per Mpkt"})
        {
            assertFalse(table.contains(switchFigure), switchFigure + " in\n" + table);
        }
        final String details = report.tables(false);
        assertTrue(details.contains("| Keep-alive requests, p99 latency (ms) |"), details);
        assertFalse(details.contains("64 B packets sent by trafgen"), details);
        final String page = report.render();
        assertTrue(page.contains("- Load balancer: every host end sits in a router namespace"), page);
        assertFalse(page.contains("- Packet rate: trafgen"), "no switch figure was measured: " + page);
        new BarChart(results, MACHINE, options("lb-kernel", "lb-wharf")).write(dir.resolve("c.png"));
        assertTrue(java.nio.file.Files.size(dir.resolve("c.png")) > 1000);
    }

    @Test
    void besideTheBridgesTheLoadBalancersFiguresKeepToTheirOwnTable()
    {
        final Scenario.Kind balanced = Scenario.Kind.LOAD_BALANCED;
        final RunResults results = new RunResults(List.of(
            FakeScenario.anchor("bridge", BRIDGED), FakeScenario.subject("wharf", BRIDGED),
            FakeScenario.anchor("lb-kernel", balanced), FakeScenario.subject("lb-wharf", balanced)), measurements);
        add(results, "bridge", "tcp1_gbps", 10);
        add(results, "wharf", "tcp1_gbps", 8);
        add(results, "lb-kernel", "lb_rps", 20_000);
        add(results, "lb-wharf", "lb_rps", 24_000);
        final String tables = new MarkdownReport(results, MACHINE, options("bridge", "wharf", "lb-kernel", "lb-wharf")).tables(true);
        final String bridged = section(tables, BRIDGED);
        final String lb = section(tables, balanced);
        assertEquals(List.of("10.00", "8.00", "0.80×"), row(bridged, "TCP, 1 stream"));
        assertFalse(bridged.contains("HTTP requests"), bridged);
        assertFalse(bridged.contains("lb-wharf/"), bridged);
        assertEquals(List.of("20000", "24000", "1.20×"), row(lb, "HTTP requests, keep-alive"));
        assertFalse(lb.contains("| TCP, 1 stream"), lb);
        assertFalse(lb.contains("wharf/bridge"), lb);
    }

    @Test
    void rawSamplesAndChartCopeWithRoutedScenarios(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final RunResults results = mixedRun();
        final RawSamplesWriter raw = new RawSamplesWriter(results, MACHINE, options("nat-kernel", "bridge", "wharf", "nat-wharf"));
        raw.writeJson(dir.resolve("s.json"));
        final String json = java.nio.file.Files.readString(dir.resolve("s.json"));
        assertTrue(json.contains("\"nat-wharf\": {\"kind\": \"routed\", \"subject\": true}"), json);
        assertTrue(json.contains("\"bridge\": {\"kind\": \"bridged\", \"subject\": false}"), json);
        new BarChart(results, MACHINE, options("nat-kernel", "bridge", "wharf", "nat-wharf")).write(dir.resolve("c.png"));
        assertTrue(java.nio.file.Files.size(dir.resolve("c.png")) > 1000);
    }
}
