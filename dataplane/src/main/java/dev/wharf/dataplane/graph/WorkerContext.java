package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.punt.PuntChannel;

/**
 * What a node may use besides the batch, for one worker: the configuration snapshot read at the
 * start of the batch, the worker's counters, its clock reading, and the ports a batch sent to
 * (flushed once at the end of the batch). Owned by the worker thread.
 */
public final class WorkerContext
{
    public final int worker;
    public final WorkerCounters counters;
    public final CounterLayout layout;
    public DataplaneSnapshot snapshot = DataplaneSnapshot.EMPTY;
    public long nowMs;
    /** The running capture, read once per duty cycle; null (the usual case) costs one check per frame sent. */
    public CaptureSession capture;
    /** This worker's way to the control plane's services and back (punt and inject). */
    public final PuntChannel punt;

    private final PortBinding[] dirty = new PortBinding[CounterLayout.MAX_PORTS];
    private final boolean[] isDirty = new boolean[CounterLayout.MAX_PORTS];
    private int dirtyCount;

    public WorkerContext(final int worker, final CounterLayout layout)
    {
        this(worker, layout, new PuntChannel(worker));
    }

    public WorkerContext(final int worker, final CounterLayout layout, final PuntChannel punt)
    {
        this.worker = worker;
        this.punt = punt;
        this.layout = layout;
        this.counters = new WorkerCounters(layout);
    }

    /** Notes that {@code port} has frames queued for transmission. */
    public void markDirty(final PortBinding port)
    {
        if (!isDirty[port.id])
        {
            isDirty[port.id] = true;
            dirty[dirtyCount++] = port;
        }
    }

    /** Flushes every port sent to since the last call. */
    public void flushDirty()
    {
        for (int i = 0; i < dirtyCount; i++)
        {
            final PortBinding port = dirty[i];
            port.port.queue(worker).flush();
            isDirty[port.id] = false;
            dirty[i] = null;
        }
        dirtyCount = 0;
    }
}
