package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarnessPrefixTest
{
    @Test
    void unsetOrBlankIsTheDefault()
    {
        assertEquals("wbe", HarnessPrefix.parse(null));
        assertEquals("wbe", HarnessPrefix.parse(""));
        assertEquals("wbe", HarnessPrefix.parse("  "));
    }

    @Test
    void takesShortLowercaseNames()
    {
        assertEquals("lbb", HarnessPrefix.parse("lbb"));
        assertEquals("sk", HarnessPrefix.parse(" sk "));
        assertEquals("cs2x", HarnessPrefix.parse("cs2x"));
    }

    @Test
    void refusesWhatWouldBreakTheKernelsNamesOrTheSweep()
    {
        for (final String bad : new String[] {"w", "toolong", "LBB", "lb-", "2lb", "l b", "lb*"})
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HarnessPrefix.parse(bad), bad);
            assertTrue(e.getMessage().contains(HarnessPrefix.VARIABLE), e.getMessage());
        }
    }

    @Test
    void everyLinkNameFitsTheKernelsFifteenCharacters()
    {
        // the longest suffixes the harness uses, under the longest prefix it accepts
        for (final String suffix : new String[] {"natbr", "lbbr", "lbr"})
        {
            assertTrue(("abcd-" + suffix).length() <= 15, suffix);
        }
        assertEquals(HarnessPrefix.VALUE + "-c1", ContainerPair.C1);
    }
}
