package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * One switch under test: it wires the two containers' host ends together, and it says which
 * processes do its forwarding so their CPU time can be charged to it. A new anchor (kernel
 * nftables NAT, kernel VXLAN, HAProxy) is one more implementation of this interface.
 * <p>
 * The runner calls, on its main thread: {@link #unavailableReason()} once, then per repeat
 * {@link #setUp} on a fresh {@link ContainerPair}, the measurements, and the {@link Cleanup}.
 */
interface Scenario
{
    /** Short name used in {@code --only}, tables and file names: {@code bridge}, {@code ovs}, ... */
    String id();

    /** What a reader of the report needs to know about this configuration. */
    String description();

    /** Whether this is the system under test (the others are anchors it is compared with). */
    default boolean isSubject()
    {
        return false;
    }

    /** About how long {@link #setUp} takes, for the estimate of time left. */
    default double estimatedSetupSeconds()
    {
        return 2;
    }

    /** Why this scenario cannot run on this machine (missing tool, ...), or null if it can. */
    String unavailableReason();

    /** Creates the switch and attaches both host ends; registers every undo with {@code cleanup}. */
    void setUp(ContainerPair containers, Path workDir, Cleanup cleanup);

    /** The processes doing the switching, for CPU accounting; empty when the kernel switches in softirq. */
    List<ProcessHandle> switchProcesses();
}
