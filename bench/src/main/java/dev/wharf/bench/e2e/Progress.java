package dev.wharf.bench.e2e;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress lines while the harness runs: step k of n, which switch, which repeat, which test,
 * and the time left. The estimate is the remaining steps' nominal durations scaled by how the
 * finished steps compared with theirs (setup and tool start-up take longer on a loaded machine).
 * Main thread only.
 */
final class Progress
{
    private final PrintStream out;
    private final int totalSteps;
    private final long startNanos = System.nanoTime();
    private double remainingEstimate;
    private double doneEstimate;
    private int step;

    Progress(final PrintStream out, final int totalSteps, final double totalEstimateSeconds)
    {
        this.out = out;
        this.totalSteps = totalSteps;
        this.remainingEstimate = totalEstimateSeconds;
    }

    /** Announces a step about to start. */
    void begin(final String scenario, final int repeat, final int repeats, final String what)
    {
        step++;
        out.printf(Locale.ROOT, "[%2d/%d] %-8s repeat %d/%d  %-42s %s left%n",
            step, totalSteps, scenario, repeat, repeats, what, format(secondsLeft()));
        out.flush();
    }

    /** A step's nominal time is spent, whether it ran or was skipped. */
    void finished(final double estimateSeconds)
    {
        remainingEstimate = Math.max(0, remainingEstimate - estimateSeconds);
        doneEstimate += estimateSeconds;
    }

    /** Steps that will not run (their scenario failed to set up) no longer count. */
    void skipped(final int steps, final double estimateSeconds)
    {
        step += steps;
        remainingEstimate = Math.max(0, remainingEstimate - estimateSeconds);
    }

    void note(final String message)
    {
        out.println("         " + message);
        out.flush();
    }

    double elapsedSeconds()
    {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private double secondsLeft()
    {
        double scale = 1;
        if (doneEstimate > 5)
        {
            scale = Math.max(0.5, Math.min(3, elapsedSeconds() / doneEstimate));
        }
        return remainingEstimate * scale;
    }

    static String format(final double seconds)
    {
        final long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "~%dm%02ds", s / 60, s % 60) : String.format(Locale.ROOT, "~%ds", s);
    }
}
