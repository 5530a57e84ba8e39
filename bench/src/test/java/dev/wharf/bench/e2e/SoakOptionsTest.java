package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's command line and when its loop ends. */
class SoakOptionsTest
{
    private static final Path LAUNCHER = Path.of("/repo/wharf");

    @Test
    void runsTwoMinutesOfCyclesByDefault()
    {
        final SoakOptions options = SoakOptions.parse(new String[0], LAUNCHER);
        assertEquals(120, options.durationSeconds());
        assertEquals(0, options.cycles());
        assertEquals(LAUNCHER, options.wharf());
        assertFalse(options.finished(1_000, 119.9));
        assertTrue(options.finished(1, 120));
    }

    @Test
    void cyclesAloneRunThatManyWithinAnHour()
    {
        final SoakOptions options = SoakOptions.parse(new String[] {"--cycles", "300"}, LAUNCHER);
        assertFalse(options.finished(299, 600));
        assertTrue(options.finished(300, 1));
        assertTrue(options.finished(10, 3600), "bounded in time too");
    }

    @Test
    void cyclesAndDurationEndAtWhicheverComesFirst()
    {
        final SoakOptions options = SoakOptions.parse(new String[] {"--cycles=50", "--duration", "30s", "--warmup", "5"}, LAUNCHER);
        assertEquals(5, options.warmupCycles());
        assertTrue(options.finished(50, 1));
        assertTrue(options.finished(3, 30));
        assertFalse(options.finished(49, 29));
    }

    @Test
    void refusesANonsenseCount()
    {
        final E2eOptions.UsageException e = assertThrows(E2eOptions.UsageException.class,
            () -> SoakOptions.parse(new String[] {"--cycles", "0"}, LAUNCHER));
        assertEquals("a cycle count must be 1..1000000: 0", e.getMessage());
        assertThrows(E2eOptions.UsageException.class, () -> SoakOptions.parse(new String[] {"--traffic-every", "x"}, LAUNCHER));
        assertThrows(E2eOptions.UsageException.class, () -> SoakOptions.parse(new String[] {"--duration", "2h"}, LAUNCHER));
    }
}
