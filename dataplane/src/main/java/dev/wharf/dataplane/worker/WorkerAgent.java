package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.punt.PuntChannel;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.PacketTracer;
import dev.wharf.dataplane.trace.TraceSession;
import dev.wharf.dataplane.trace.WorkerTracer;
import org.agrona.concurrent.Agent;

import java.util.function.Supplier;

/**
 * A worker: each duty cycle reads the configuration snapshot once, then for every attached port
 * receives a batch from its queue, runs it through the node graph to completion, flushes the
 * ports it sent to, and gives the received memory back. Runs in its own AgentRunner thread.
 *
 * <p>After each cycle it publishes the snapshot version it used (an ordered write, after everything the
 * cycle did with that snapshot's ports), so the control plane knows when no worker can still touch a
 * port it removed: it closes a detached port only once every worker reported a version without it.
 *
 * <p>Every {@link #KERNEL_DROPS_INTERVAL_MS} it also asks each of its queues how many frames the kernel dropped
 * before it could receive them (a full ring) and adds them to the port's {@link CounterLayout#PORT_RX_KERNEL_DROPS}:
 * the worker is the one reader of that count (the kernel resets it on read) and the one writer of its counters.
 * Drops in the last interval before a port is detached go uncounted with it.
 */
public final class WorkerAgent implements Agent
{
    /** How often a worker reads its queues' kernel drop counts: one syscall per port each time, so not per cycle. */
    public static final long KERNEL_DROPS_INTERVAL_MS = 100;
    private final int worker;
    private final Supplier<DataplaneSnapshot> snapshots;
    private final NodeGraph graph;
    private final WorkerContext context;
    private final PacketBatch batch = new PacketBatch();
    private final WorkerTracer tracer;
    private volatile TraceSession traceSession;
    private volatile CaptureSession captureSession;
    /** Written by the worker once per cycle, read by the control plane: a volatile write orders the cycle before it. */
    private volatile long observedVersion = -1;
    private volatile long busyCycles;
    private volatile long idleCycles;
    private long nextKernelDropsMs;
    /** Where a network port's batch enters the graph: ethernet-input, past the device-input arc (device ports' only). */
    private final int networkPortEntry;
    /** Where frames the control plane injects enter: the output arc, as any frame the switch sends. */
    private final int injectEntry;

    public WorkerAgent(final int worker, final Supplier<DataplaneSnapshot> snapshots, final NodeGraph graph)
    {
        this(worker, snapshots, graph, new PuntChannel(worker));
    }

    public WorkerAgent(final int worker, final Supplier<DataplaneSnapshot> snapshots, final NodeGraph graph, final PuntChannel punt)
    {
        this.worker = worker;
        this.snapshots = snapshots;
        this.graph = graph;
        this.context = new WorkerContext(worker, graph.layout(), punt);
        this.tracer = new WorkerTracer(worker, graph);
        this.networkPortEntry = graph.nodeId(CoreNodes.ETHERNET_INPUT);
        this.injectEntry = graph.entryId(FeatureArc.L2_OUTPUT);
    }

    /** Starts (or with null, stops) capturing; any thread. */
    public void capture(final CaptureSession session)
    {
        captureSession = session;
    }

    /** Starts (or with null, stops) tracing; any thread. */
    public void trace(final TraceSession session)
    {
        traceSession = session;
    }

    @Override
    public int doWork()
    {
        final DataplaneSnapshot snapshot = snapshots.get();
        final WorkerContext context = this.context;
        context.snapshot = snapshot;
        context.nowMs = MonotonicClock.nowMs();
        final CounterLayout layout = context.layout;
        final TraceSession trace = traceSession;
        final CaptureSession capture = captureSession;
        context.capture = capture;
        final boolean readKernelDrops = context.nowMs >= nextKernelDropsMs;
        if (readKernelDrops)
        {
            nextKernelDropsMs = context.nowMs + KERNEL_DROPS_INTERVAL_MS;
        }
        int work = 0;
        for (final PortBinding binding : snapshot.attachedPorts())
        {
            final PortQueue queue = binding.port.queue(worker);
            if (readKernelDrops)
            {
                final long drops = queue.takeKernelDrops();
                if (drops > 0)
                {
                    context.counters.add(layout.portCounter(binding.id, CounterLayout.PORT_RX_KERNEL_DROPS), drops);
                }
            }
            batch.clear();
            final int received = queue.receive(batch, binding.id, PacketBatch.CAPACITY);
            if (received == 0)
            {
                continue;
            }
            long bytes = 0;
            for (int i = 0; i < received; i++)
            {
                bytes += batch.length[i];
            }
            context.counters.add(layout.portCounter(binding.id, CounterLayout.PORT_RX_PACKETS), received);
            context.counters.add(layout.portCounter(binding.id, CounterLayout.PORT_RX_BYTES), bytes);
            if (capture != null && capture.wants(binding.id, CaptureSession.DIRECTION_RX))
            {
                for (int i = 0; i < received; i++)
                {
                    capture.offer(batch, i, CaptureSession.DIRECTION_RX, -1);
                }
            }
            if (trace != null)
            {
                graph.tracer(!trace.exhausted() && tracer.mark(batch, trace) ? tracer : PacketTracer.OFF);
            }
            graph.run(batch, context, binding.network == PortBinding.NO_NETWORK ? 0 : networkPortEntry);
            context.flushDirty();
            queue.releaseReceived();
            work += received;
        }
        final PuntChannel punt = context.punt;
        if (punt.hasInjected())
        {
            work += sendInjected(punt);
        }
        punt.signalPunted();
        // counted apart: background work done while idle must not keep the worker out of its idle strategy
        graph.runTasks(context);
        // what a task sent, or a cycle that threw left queued, goes now: no port of this snapshot may stay referenced
        context.flushDirty();
        if (work > 0)
        {
            busyCycles++;
        }
        else
        {
            idleCycles++;
        }
        // a volatile write: every read and write of this snapshot's ports above happens before the control plane sees the version
        observedVersion = snapshot.version;
        return work;
    }

    /** Sends what the control plane injected (replies of punted services) out of the ports it named. */
    private int sendInjected(final PuntChannel punt)
    {
        final int count = punt.drainInjected(batch);
        graph.tracer(PacketTracer.OFF);
        graph.run(batch, context, injectEntry);
        context.flushDirty();
        // each port copied the frame when sending it: the slots are free again
        punt.releaseInjected(count);
        return count;
    }

    @Override
    public String roleName()
    {
        return "wharf-worker-" + worker;
    }

    public int worker()
    {
        return worker;
    }

    public long observedVersion()
    {
        return observedVersion;
    }

    public long busyCycles()
    {
        return busyCycles;
    }

    public long idleCycles()
    {
        return idleCycles;
    }

    public WorkerContext context()
    {
        return context;
    }

    public NodeGraph graph()
    {
        return graph;
    }
}
