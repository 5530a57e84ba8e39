package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's verdict and exit status from what a run measured. */
class SoakMainTest
{
    private static final DaemonFootprint START = new DaemonFootprint(672 * 1024, 650 * 1024, 512 * 1024, 36 * 1024, 16, 28);

    @TempDir
    Path workDir;

    @Test
    void aFlatDaemonPassesAndItsLogsGo() throws Exception
    {
        final DaemonFootprint end = new DaemonFootprint(683 * 1024, 650 * 1024, 512 * 1024, 36 * 1024, 16, 28);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int status = SoakMain.report(result(end, List.of(), null), SoakBounds.DEFAULT, workDir, print(out));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("300 measured cycles in 133 s (2.3 cycles/s); 300 pings and 30 TCP bursts in all, 0 traffic failures"), text);
        assertTrue(text.contains("PASSED"), text);
        assertFalse(Files.exists(workDir));
    }

    @Test
    void aDaemonThatKeptItsTapPoolsFailsAndSaysWhatGrew()
    {
        // the soak of the daemon before issue 19's fix: direct memory the GC frees in the end, but RSS glibc keeps
        final DaemonFootprint end = new DaemonFootprint(1094 * 1024, 650 * 1024, 512 * 1024, 36 * 1024, 16, 28);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int status = SoakMain.report(result(end, List.of(), null), SoakBounds.DEFAULT, workDir, print(out));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, text);
        assertTrue(text.contains("GREW: RSS grew from 672.0 MB to 1094.0 MB: +422.0 MB (bound +48 MB)"), text);
        assertFalse(text.contains("PASSED"), text);
        assertTrue(Files.exists(workDir), "logs kept");
    }

    @Test
    void trafficFailuresOrAFailedStepFailTheRunWithinTheBounds()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(1, SoakMain.report(result(START, List.of("cycle 7: no ping reply from 10.232.0.3"), null), SoakBounds.DEFAULT, workDir,
            print(out)));
        assertEquals(1, SoakMain.report(result(null, List.of(), "cycle 3: UNAVAILABLE: io exception"), SoakBounds.DEFAULT, workDir,
            print(out)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("FAILED: cycle 3: UNAVAILABLE: io exception"));
    }

    private static SoakRun.Result result(final DaemonFootprint end, final List<String> trafficFailures, final String failure)
    {
        return new SoakRun.Result(START, START, end, 300, 133, 300, 30, trafficFailures, failure);
    }

    private static PrintStream print(final ByteArrayOutputStream out)
    {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }
}
