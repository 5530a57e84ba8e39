package dev.wharf.dataplane.trace;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.PacketTracer;

import java.util.ArrayList;
import java.util.List;

/**
 * One worker's tracer: marks the packets a {@link TraceSession} claims as they are received, and
 * records each marked packet's step through every node. Installed on the worker's graph only for
 * batches that hold a marked packet, so untraced traffic pays nothing but the graph's one check.
 * Worker thread only.
 */
public final class WorkerTracer implements PacketTracer
{
    private final int worker;
    private final NodeGraph graph;
    private final CounterLayout layout;
    private final int dropNodeId;
    private final PacketFormatter formatter = new PacketFormatter();
    private final String[] before = new String[PacketBatch.CAPACITY];
    @SuppressWarnings("unchecked")
    private final List<TraceRecord.Step>[] steps = new List[PacketBatch.CAPACITY];
    private final long[] sequence = new long[PacketBatch.CAPACITY];
    private TraceSession session;

    public WorkerTracer(final int worker, final NodeGraph graph)
    {
        this.worker = worker;
        this.graph = graph;
        this.layout = graph.layout();
        this.dropNodeId = graph.nodeId(NodeGraph.DROP_NODE);
    }

    /**
     * Marks the packets of a freshly received batch that {@code trace} claims.
     *
     * @return true when at least one packet is traced.
     */
    public boolean mark(final PacketBatch batch, final TraceSession trace)
    {
        session = trace;
        boolean any = false;
        for (int i = 0; i < batch.size(); i++)
        {
            if (trace.claim(batch.inPort[i]))
            {
                batch.flags[i] |= PacketBatch.FLAG_TRACED;
                steps[i] = new ArrayList<>();
                sequence[i] = trace.nextSequence();
                any = true;
            }
        }
        return any;
    }

    @Override
    public void beforeNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if ((batch.flags[i] & PacketBatch.FLAG_TRACED) != 0)
            {
                before[i] = formatter.format(batch.frame(i), batch.length[i]);
            }
        }
    }

    @Override
    public void afterNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if ((batch.flags[i] & PacketBatch.FLAG_TRACED) == 0)
            {
                continue;
            }
            final String after = formatter.format(batch.frame(i), batch.length[i]);
            final int next = batch.next[i];
            final String decision;
            if (next == NodeGraph.DONE)
            {
                decision = batch.outPort[i] >= 0 ? "done, out port " + batch.outPort[i] : "done";
            }
            else if (next == dropNodeId)
            {
                decision = "drop: " + layout.errorName(batch.dropReason[i]);
            }
            else
            {
                decision = "-> " + graph.node(next).name();
            }
            steps[i].add(new TraceRecord.Step(node.name(), before[i], decision, after.equals(before[i]) ? null : after,
                node.traceDetail(batch, i)));
            if (next == NodeGraph.DONE)
            {
                session.complete(new TraceRecord(sequence[i], worker, batch.inPort[i], System.nanoTime(), List.copyOf(steps[i])));
                steps[i] = null;
                batch.flags[i] &= ~PacketBatch.FLAG_TRACED;
            }
        }
    }
}
