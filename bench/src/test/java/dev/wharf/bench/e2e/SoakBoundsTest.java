package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the soak's verdict makes of two samples of a daemon. */
class SoakBoundsTest
{
    private static final SoakBounds BOUNDS = new SoakBounds(48 * 1024, 32 * 1024, 16 * 1024, 4, 8);
    private static final DaemonFootprint START = new DaemonFootprint(700 * 1024, 900 * 1024, 512 * 1024, 60 * 1024, 20, 30);

    @Test
    void aDaemonThatGrewWithinEveryBoundPasses()
    {
        final DaemonFootprint end = new DaemonFootprint(START.rssKb() + 48 * 1024, START.nmtCommittedKb() + 32 * 1024, 512 * 1024,
            START.heapUsedKb() + 16 * 1024, 24, 38);
        assertEquals(List.of(), BOUNDS.violations(START, end));
    }

    @Test
    void aDaemonThatShrankPasses()
    {
        final DaemonFootprint end = new DaemonFootprint(600 * 1024, 800 * 1024, 512 * 1024, 50 * 1024, 18, 25);
        assertEquals(List.of(), BOUNDS.violations(START, end));
    }

    @Test
    void aTapPoolKeptPerCycleBreaksTheRssAndNativeBounds()
    {
        // 300 cycles that each kept a TAP queue's 4 MiB receive pool (issue 19): RSS and NMT's "Other" grow alike
        final long kept = 300L * 4 * 1024;
        final DaemonFootprint end = new DaemonFootprint(START.rssKb() + kept, START.nmtCommittedKb() + kept, 512 * 1024,
            START.heapUsedKb(), 20, 30);
        final List<String> violations = BOUNDS.violations(START, end);
        assertEquals(2, violations.size(), violations.toString());
        assertEquals("RSS grew from 700.0 MB to 1900.0 MB: +1200.0 MB (bound +48 MB)", violations.get(0));
        assertTrue(violations.get(1).startsWith("native memory (NMT, beside the heap) grew from 388.0 MB to 1588.0 MB"), violations.get(1));
    }

    @Test
    void theHeapsOwnGrowthIsNotNativeGrowth()
    {
        // a committed heap that grew by 200 MB is NMT growth, but not beside the heap
        final DaemonFootprint end = new DaemonFootprint(START.rssKb(), START.nmtCommittedKb() + 200 * 1024, 712 * 1024,
            START.heapUsedKb(), 20, 30);
        assertEquals(List.of(), BOUNDS.violations(START, end));
    }

    @Test
    void aLiveHeapDescriptorsAndThreadsThatGrewAreEachNamed()
    {
        final DaemonFootprint end = new DaemonFootprint(START.rssKb(), START.nmtCommittedKb(), 512 * 1024, START.heapUsedKb() + 17 * 1024,
            25, 39);
        assertEquals(List.of(
                "live heap grew from 60.0 MB to 77.0 MB: +17.0 MB (bound +16 MB)",
                "descriptors grew from 20 to 25 (bound +4)",
                "threads grew from 30 to 39 (bound +8)"),
            BOUNDS.violations(START, end));
    }
}
