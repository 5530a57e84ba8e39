package dev.wharf.io;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A closed TAP port gives its direct memory back at once, not when the GC happens to find it: a daemon whose heap
 * barely changes runs no GC for a long time, and each detached TAP queue kept its 4 MiB receive pool until then
 * (issue 19: 200 attach/detach cycles took the daemon from 359 to 993 MB). The JDK's own count of direct memory
 * (the "direct" buffer pool MXBean) tells what is reserved; the test holds the port, so no GC can free it instead.
 */
final class TapPortMemoryTest
{
    private static final int WORKERS = 2;

    private Topology topology;

    @BeforeEach
    void setUp()
    {
        topology = new Topology("sk-");
    }

    @AfterEach
    void tearDown()
    {
        topology.close();
    }

    @Test
    void closeFreesTheDirectMemoryOfEveryQueue() throws Exception
    {
        final String name = topology.name("m");
        final long before = directMemoryUsed();
        final TapPort port = Tap.open(name, WORKERS, PortOptions.DEFAULT);
        topology.deleteLater(name);
        final long open = directMemoryUsed();
        final long pools = (long)WORKERS * PortOptions.TAP_SLOTS_DEFAULT * TapQueue.MAX_FRAME_LENGTH;
        assertTrue(open - before >= pools, "an open port reserves its receive pools: " + (open - before) + " bytes, pools " + pools);

        port.close();

        final long closed = directMemoryUsed();
        assertTrue(closed <= before, "close gives back every byte the port reserved: before " + before + ", open " + open +
            ", closed " + closed);
        assertTrue(port.isClosed());
    }

    private static long directMemoryUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new AssertionError("no direct buffer pool MXBean");
    }
}
