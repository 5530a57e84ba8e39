package dev.wharf.io;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.punt.WorkerWakeup;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Supplier;

/**
 * A worker's idle strategy: after work it spins (then yields) for a few tens of microseconds, which
 * catches the next packet of a burst or a ping reply without a wake-up; after that it sleeps in poll(2)
 * on the worker's receive descriptors, with a short timeout so a new configuration (a port attached)
 * is seen soon. Latency stays low under load and an idle worker does not burn a core.
 *
 * <p>The poll set holds an eventfd beside the receive descriptors: {@link #wake()} (any thread) ends the sleep when
 * the control plane injects a frame for the worker to send, which no receive descriptor would signal.
 *
 * <p>One instance per worker, called only by its AgentRunner thread (but {@link #wake()}). The pollfd array is rebuilt only
 * when the snapshot's descriptor list changes; an idle call allocates nothing.
 */
public final class PollIdleStrategy implements IdleStrategy, WorkerWakeup
{
    /**
     * System properties that override the spin and yield phases of the strategies the daemon builds. A
     * worker that sleeps pays a thread wake-up (tens to hundreds of microseconds in a VM) on the next
     * frame; a longer phase (milliseconds) keeps a steady trickle such as ping from ever paying it, at the
     * cost of a busy CPU for that long after each frame.
     */
    public static final String SPIN_NS_PROP_NAME = "wharf.idle.spin.ns";
    public static final String YIELD_NS_PROP_NAME = "wharf.idle.yield.ns";
    public static final long SPIN_NS_DEFAULT = 20_000;
    public static final long YIELD_NS_DEFAULT = 50_000;
    public static final int POLL_TIMEOUT_MS_DEFAULT = 10;

    private final int worker;
    private final Supplier<DataplaneSnapshot> snapshots;
    private final long spinNs;
    private final long yieldNs;
    private final int pollTimeoutMs;
    private final LibC libc;
    private UnsafeBuffer pollFds = NativeMemory.allocate(8 * PollFdFlyweight.LENGTH);
    private int[] cachedDescriptors;
    private int pollFdCount;
    private long idleSinceNs;
    private boolean idling;
    private long polls;
    private final int wakeFd;
    /** Eight bytes holding 1, written to the eventfd by {@link #wake()}; never changed after construction. */
    private final UnsafeBuffer wakeValue = NativeMemory.allocate(8);
    private final UnsafeBuffer wakeDrain = NativeMemory.allocate(8);

    public PollIdleStrategy(final int worker, final Supplier<DataplaneSnapshot> snapshots)
    {
        this(worker, snapshots, Long.getLong(SPIN_NS_PROP_NAME, SPIN_NS_DEFAULT), Long.getLong(YIELD_NS_PROP_NAME, YIELD_NS_DEFAULT),
            POLL_TIMEOUT_MS_DEFAULT);
    }

    public PollIdleStrategy(
        final int worker, final Supplier<DataplaneSnapshot> snapshots, final long spinNs, final long yieldNs, final int pollTimeoutMs)
    {
        this.worker = worker;
        this.snapshots = snapshots;
        this.spinNs = spinNs;
        this.yieldNs = yieldNs;
        this.pollTimeoutMs = pollTimeoutMs;
        this.libc = Syscalls.libc();
        this.wakeFd = libc.eventfd(0, Syscalls.EFD_NONBLOCK | Syscalls.EFD_CLOEXEC);
        wakeValue.putLong(0, 1L);
        rebuild(new int[0]);
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            idling = false;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        final long nowNs = System.nanoTime();
        if (!idling)
        {
            idling = true;
            idleSinceNs = nowNs;
        }
        final long idleNs = nowNs - idleSinceNs;
        if (idleNs < spinNs)
        {
            Thread.onSpinWait();
        }
        else if (idleNs < spinNs + yieldNs)
        {
            Thread.yield();
        }
        else
        {
            poll();
        }
    }

    private void poll()
    {
        final int[] descriptors = snapshots.get().pollDescriptors(worker);
        if (descriptors != cachedDescriptors)
        {
            rebuild(descriptors);
        }
        polls++;
        // readiness or timeout both end the sleep; the worker's next duty cycle finds out which
        libc.poll(pollFdCount == 0 ? 0 : pollFds.addressOffset(), pollFdCount, pollTimeoutMs);
        if (wakeFd >= 0 && pollFds.getShort(PollFdFlyweight.REVENTS_OFFSET) != 0)
        {
            libc.read(wakeFd, wakeDrain.addressOffset(), 8);
        }
    }

    @Override
    public void wake()
    {
        if (wakeFd >= 0)
        {
            libc.write(wakeFd, wakeValue.addressOffset(), 8);
        }
    }

    /** Slot 0 is the wake-up eventfd (when there is one), the receive descriptors follow. */
    private void rebuild(final int[] descriptors)
    {
        final int first = wakeFd >= 0 ? 1 : 0;
        final int count = first + descriptors.length;
        if (count * PollFdFlyweight.LENGTH > pollFds.capacity())
        {
            NativeMemory.free(pollFds);
            pollFds = NativeMemory.allocate(count * 2 * PollFdFlyweight.LENGTH);
        }
        if (first == 1)
        {
            PollFdFlyweight.set(pollFds, 0, wakeFd, Syscalls.POLLIN);
        }
        for (int i = 0; i < descriptors.length; i++)
        {
            PollFdFlyweight.set(pollFds, first + i, descriptors[i], Syscalls.POLLIN);
        }
        pollFdCount = count;
        cachedDescriptors = descriptors;
    }

    @Override
    public void reset()
    {
        idling = false;
    }

    /** Times the worker went to sleep in poll(2); for tests and diagnostics. */
    public long polls()
    {
        return polls;
    }

    @Override
    public String alias()
    {
        return "poll";
    }
}
