package dev.wharf.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak reads what the kernel and jcmd print (JDK 25's formats, taken from a daemon). */
class DaemonFootprintTest
{
    private static final String NMT = """
        12345:

        Native Memory Tracking:

        (Omitting categories weighting less than 1KB)

        Total: reserved=7778345KB, committed=312401KB
               malloc: 40212KB #91230
               mmap:   reserved=7738133KB, committed=272189KB

        -                 Java Heap (reserved=6172672KB, committed=163840KB)
                                    (mmap: reserved=6172672KB, committed=163840KB, at peak)

        -                     Class (reserved=1048964KB, committed=3972KB)
                                    (classes #5210)

        -                     Other (reserved=8341KB, committed=8341KB)
                                    (malloc=8341KB #12)
        """;

    private static final String HEAP_INFO = """
        12345:
         garbage-first heap   total reserved 6172672K, committed 163840K, used 63326K [0x0000000687400000, 0x0000000800000000)
          region size 4096K, 8 young (32768K), 2 survivors (8192K)
         Metaspace       used 30210K, committed 30592K, reserved 1114112K
        """;

    private static final String STATUS = """
        Name:\tjava
        Umask:\t0022
        State:\tS (sleeping)
        VmPeak:\t 8123456 kB
        VmRSS:\t  207824 kB
        RssAnon:\t  170000 kB
        Threads:\t26
        """;

    @Test
    void readsTheCommittedTotalAndTheHeapOfTheNmtSummary()
    {
        assertEquals(312401, DaemonFootprint.nmtTotalCommittedKb(NMT));
        assertEquals(163840, DaemonFootprint.nmtHeapCommittedKb(NMT));
    }

    @Test
    void readsEveryCategoryAndNamesThoseThatMoved()
    {
        final Map<String, Long> categories = DaemonFootprint.nmtCategoriesKb(NMT);
        assertEquals(List.of("Java Heap", "Class", "Other"), List.copyOf(categories.keySet()));
        assertEquals(8341, categories.get("Other"));
        final DaemonFootprint before = new DaemonFootprint(0, 0, 0, 0, 0, 0, categories);
        final DaemonFootprint after = new DaemonFootprint(0, 0, 0, 0, 0, 0,
            Map.of("Java Heap", 163840L, "Class", 3972L + 100, "Other", 8341L + 4 * 1024 * 200, "Code", 2048L));
        assertEquals("Other +800.0 MB, Code +2.0 MB", after.categoryGrowth(before, 512));
        assertEquals("", before.categoryGrowth(before, 512));
    }

    @Test
    void readsTheHeapsUsedBytes()
    {
        assertEquals(63326, DaemonFootprint.heapUsedKb(HEAP_INFO));
    }

    @Test
    void readsRssAndThreadsFromProcStatus()
    {
        assertEquals(207824, DaemonFootprint.statusValue(STATUS, "VmRSS"));
        assertEquals(26, DaemonFootprint.statusValue(STATUS, "Threads"));
    }

    @Test
    void aDaemonWithoutNmtIsNamedAsSuch()
    {
        final HarnessException e = assertThrows(HarnessException.class,
            () -> DaemonFootprint.nmtTotalCommittedKb("12345:\nNative memory tracking is not enabled\n"));
        assertTrue(e.getMessage().contains("-XX:NativeMemoryTracking=summary"), e.getMessage());
    }

    @Test
    void nativeMemoryIsTheCommittedTotalLessTheHeap()
    {
        final DaemonFootprint footprint = new DaemonFootprint(207824, 312401, 163840, 63326, 16, 26);
        assertEquals(312401 - 163840, footprint.nativeKb());
        assertEquals("RSS 203.0 MB, native 145.1 MB (NMT committed 305.1 MB, heap 160.0 MB), live heap 61.8 MB, 16 fds, 26 threads",
            footprint.describe());
    }
}
