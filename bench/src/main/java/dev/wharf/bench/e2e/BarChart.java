package dev.wharf.bench.e2e;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The PNG chart of a run, drawn with Java2D: one panel per headline figure, each with its own
 * scale (throughput, packet rate, latency and CPU share no axis), one bar per switch at its
 * median, a whisker from min to max, and the median written above the bar. Headless.
 */
final class BarChart
{
    private static final int COLUMNS = 3;
    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 330;
    private static final int HEADER_HEIGHT = 92;
    private static final Color[] PALETTE = {
        new Color(0x4C72B0), new Color(0xDD8452), new Color(0xC44E52), new Color(0x55A868),
        new Color(0x8172B3), new Color(0x937860)};
    private static final Color SUBJECT = new Color(0x2CA02C);
    private static final Color GRID = new Color(0xE3E3E3);
    private static final Color TEXT = new Color(0x222222);
    private static final Color MUTED = new Color(0x666666);

    private final RunResults results;
    private final MachineInfo machine;
    private final E2eOptions options;

    BarChart(final RunResults results, final MachineInfo machine, final E2eOptions options)
    {
        this.results = results;
        this.machine = machine;
        this.options = options;
    }

    void write(final Path file) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final List<Metric> metrics = new ArrayList<>();
        for (final Metric metric : results.metrics())
        {
            // a kind's own figures (the load balancer's) get a panel only when a scenario of that kind ran, and the others only beside one of another kind
            if (metric.headline() && results.scenarios().stream().anyMatch(scenario -> MarkdownReport.belongs(metric, scenario.kind())))
            {
                metrics.add(metric);
            }
        }
        final int rows = (metrics.size() + COLUMNS - 1) / COLUMNS;
        final int width = COLUMNS * PANEL_WIDTH;
        final int height = HEADER_HEIGHT + rows * PANEL_HEIGHT;
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            header(g, width);
            for (int i = 0; i < metrics.size(); i++)
            {
                panel(g, metrics.get(i), (i % COLUMNS) * PANEL_WIDTH, HEADER_HEIGHT + (i / COLUMNS) * PANEL_HEIGHT);
            }
        }
        finally
        {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private void header(final Graphics2D g, final int width)
    {
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        g.drawString("Wharf end-to-end benchmark", 20, 34);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(MUTED);
        g.drawString(machine.get("date") + " · " + machine.summary() + " · " + options.repeats() + " repeat(s) of " +
            Math.round(options.durationSeconds()) + " s · bars: median, whiskers: min–max", 20, 56);
        int x = 20;
        final FontMetrics fm = g.getFontMetrics();
        final List<Scenario> scenarios = results.scenarios();
        for (int i = 0; i < scenarios.size(); i++)
        {
            g.setColor(color(i));
            g.fillRect(x, 68, 14, 14);
            g.setColor(TEXT);
            final String label = scenarios.get(i).id() + (results.skipped().containsKey(scenarios.get(i).id()) ? " (skipped)" : "");
            g.drawString(label, x + 20, 80);
            x += 20 + fm.stringWidth(label) + 24;
        }
    }

    private void panel(final Graphics2D g, final Metric metric, final int left, final int top)
    {
        final int plotLeft = left + 62;
        final int plotRight = left + PANEL_WIDTH - 22;
        final int plotTop = top + 62;
        final int plotBottom = top + PANEL_HEIGHT - 48;
        final List<Scenario> scenarios = results.scenarios();

        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(metric.label(), left + 16, top + 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(MUTED);
        g.drawString(metric.unit() + (metric.higherIsBetter() ? " · higher is better" : " · lower is better"), left + 16, top + 42);

        double max = 0;
        for (final Scenario scenario : scenarios)
        {
            final Statistics.Summary s = results.summary(scenario.id(), metric);
            if (s.n() > 0)
            {
                max = Math.max(max, s.max());
            }
        }
        // four round steps, so that every grid line has a short label
        final double step = niceCeiling((max <= 0 ? 1 : max * 1.12) / 4);
        final double scaleMax = step * 4;

        // grid and axis labels
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        final FontMetrics small = g.getFontMetrics();
        for (int tick = 0; tick <= 4; tick++)
        {
            final double value = scaleMax * tick / 4;
            final int y = plotBottom - (int)Math.round((plotBottom - plotTop) * tick / 4.0);
            g.setColor(GRID);
            g.drawLine(plotLeft, y, plotRight, y);
            g.setColor(MUTED);
            final String label = axisLabel(value, step);
            g.drawString(label, plotLeft - 6 - small.stringWidth(label), y + 4);
        }
        g.setColor(TEXT);
        g.drawLine(plotLeft, plotBottom, plotRight, plotBottom);

        final int slot = (plotRight - plotLeft) / Math.max(1, scenarios.size());
        final int barWidth = Math.min(56, slot * 3 / 5);
        for (int i = 0; i < scenarios.size(); i++)
        {
            final Scenario scenario = scenarios.get(i);
            final int center = plotLeft + slot * i + slot / 2;
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            final FontMetrics fm = g.getFontMetrics();
            g.drawString(scenario.id(), center - fm.stringWidth(scenario.id()) / 2, plotBottom + 18);

            final Statistics.Summary s = results.summary(scenario.id(), metric);
            if (s.n() == 0)
            {
                final String none = !scenario.supports(metric) || results.measured(scenario.id(), metric) ? "n/a" : "—";
                g.setColor(MUTED);
                g.drawString(none, center - fm.stringWidth(none) / 2, plotBottom - 8);
                continue;
            }
            final int barTop = y(s.median(), scaleMax, plotTop, plotBottom);
            g.setColor(color(i));
            g.fillRect(center - barWidth / 2, barTop, barWidth, plotBottom - barTop);
            if (s.n() > 1)
            {
                final int yMin = y(s.min(), scaleMax, plotTop, plotBottom);
                final int yMax = y(s.max(), scaleMax, plotTop, plotBottom);
                g.setColor(TEXT);
                g.setStroke(new BasicStroke(1.5f));
                g.drawLine(center, yMin, center, yMax);
                g.drawLine(center - 6, yMin, center + 6, yMin);
                g.drawLine(center - 6, yMax, center + 6, yMax);
                g.setStroke(new BasicStroke(1f));
            }
            final String value = metric.format(s.median());
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            final int labelY = Math.min(barTop, y(s.max(), scaleMax, plotTop, plotBottom)) - 6;
            g.drawString(value, center - g.getFontMetrics().stringWidth(value) / 2, Math.max(plotTop - 4, labelY));
        }
    }

    private Color color(final int index)
    {
        return results.scenarios().get(index).isSubject() ? SUBJECT : PALETTE[index % PALETTE.length];
    }

    private static int y(final double value, final double scaleMax, final int plotTop, final int plotBottom)
    {
        return plotBottom - (int)Math.round((plotBottom - plotTop) * Math.max(0, value) / scaleMax);
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code value}: round axis ticks. */
    static double niceCeiling(final double value)
    {
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[] {1, 2, 2.5, 5, 10})
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** The value with as few decimals as the step needs (2.5 needs one, 0.025 three). */
    private static String axisLabel(final double value, final double step)
    {
        int decimals = 0;
        while (decimals < 6)
        {
            final double scaled = step * Math.pow(10, decimals);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-6 * Math.max(1, scaled))
            {
                break;
            }
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
