package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker's instance of the pipeline and its scheduler. Nodes are kept in topological order
 * (every next node comes later than the node that feeds it), so one pass over the nodes, each
 * processing the sub-vector of packets that reached it, runs a whole batch to completion.
 *
 * <p>Built once per worker; {@link #run} is called only by that worker's thread and allocates nothing.
 */
public final class NodeGraph
{
    /** The next-node value of a packet that has been sent or consumed. */
    public static final int DONE = -1;
    public static final String DROP_NODE = "error-drop";

    private final Node[] nodes;
    private final int[][] pending;
    private final int[] pendingCount;
    private final CounterLayout layout;
    private final DutyCycleTask[] tasks;
    private final Map<String, Integer> idsByName = new HashMap<>();
    private final NextNameResolver resolver;
    private PacketTracer tracer = PacketTracer.OFF;

    /**
     * @param nodes the pipeline's nodes, the input node first and in topological order; one of them
     *              is named {@value #DROP_NODE}.
     */
    public NodeGraph(final List<Node> nodes)
    {
        this(nodes, (node, next) -> next);
    }

    /**
     * @param nodes    as above.
     * @param resolver turns a node's declared next name into the name of a node of the graph (the
     *                 {@link GraphComposer} resolves arc names this way).
     */
    public NodeGraph(final List<Node> nodes, final NextNameResolver resolver)
    {
        this.nodes = nodes.toArray(new Node[0]);
        this.resolver = resolver;
        for (int i = 0; i < this.nodes.length; i++)
        {
            if (idsByName.put(this.nodes[i].name(), i) != null)
            {
                throw new IllegalArgumentException("duplicate node name " + this.nodes[i].name());
            }
        }
        final Integer dropId = idsByName.get(DROP_NODE);
        if (dropId == null)
        {
            throw new IllegalArgumentException("the graph has no " + DROP_NODE + " node");
        }
        final List<String> errorNames = new ArrayList<>();
        final List<String> errorNodes = new ArrayList<>();
        final List<String> errorReasons = new ArrayList<>();
        final List<Boolean> errorEvents = new ArrayList<>();
        final List<String> nodeNames = new ArrayList<>();
        for (int i = 0; i < this.nodes.length; i++)
        {
            final Node node = this.nodes[i];
            final String[] nextNames = node.nextNames();
            final int[] nextIds = new int[nextNames.length];
            for (int n = 0; n < nextNames.length; n++)
            {
                final String nextName = resolver.resolve(node, nextNames[n]);
                final Integer target = idsByName.get(nextName);
                if (target == null)
                {
                    throw new IllegalArgumentException(node.name() + " names unknown next node " + nextName);
                }
                if (target <= i)
                {
                    throw new IllegalArgumentException(node.name() + " -> " + nextName + " breaks topological order");
                }
                nextIds[n] = target;
            }
            if (node.errorNames().length > 0 && dropId < i)
            {
                // drop() is an edge too: behind the drop node, drops would wait for the next batch with stale indices
                throw new IllegalArgumentException(node.name() + " -> " + DROP_NODE + " breaks topological order");
            }
            node.bind(i, nextIds, errorNames.size(), dropId);
            final String[] declared = node.errorNames();
            for (int e = 0; e < declared.length; e++)
            {
                errorNames.add(node.name() + "." + declared[e]);
                errorNodes.add(node.name());
                errorReasons.add(declared[e]);
                errorEvents.add(node.isEvent(e));
            }
            nodeNames.add(node.name());
        }
        final boolean[] events = new boolean[errorEvents.size()];
        for (int e = 0; e < events.length; e++)
        {
            events[e] = errorEvents.get(e);
        }
        this.layout = new CounterLayout(errorNames.toArray(new String[0]), errorNodes.toArray(new String[0]),
            errorReasons.toArray(new String[0]), events, nodeNames.toArray(new String[0]));
        this.pending = new int[this.nodes.length][PacketBatch.CAPACITY];
        this.pendingCount = new int[this.nodes.length];
        final List<DutyCycleTask> found = new ArrayList<>();
        for (final Node node : this.nodes)
        {
            if (node instanceof DutyCycleTask task)
            {
                found.add(task);
            }
        }
        this.tasks = found.toArray(new DutyCycleTask[0]);
    }

    /** Turns a declared next-node name into a node's name; called once per edge while a graph is built. */
    @FunctionalInterface
    public interface NextNameResolver
    {
        String resolve(Node node, String declaredName);
    }

    /** Runs the nodes' {@link DutyCycleTask}s once; called by the worker every duty cycle. */
    public int runTasks(final WorkerContext context)
    {
        int work = 0;
        for (final DutyCycleTask task : tasks)
        {
            work += task.doDutyCycleWork(context);
        }
        return work;
    }

    public CounterLayout layout()
    {
        return layout;
    }

    public int nodeCount()
    {
        return nodes.length;
    }

    public Node node(final int id)
    {
        return nodes[id];
    }

    public int nodeId(final String name)
    {
        final Integer id = idsByName.get(name);
        if (id == null)
        {
            throw new IllegalArgumentException("no node " + name);
        }
        return id;
    }

    /** The id of the node that packets sent to {@code name} reach: a node's own id, or for an arc its first node (its end when empty). */
    public int entryId(final String name)
    {
        return nodeId(resolver.resolve(null, name));
    }

    /** Installs a tracer; {@link PacketTracer#OFF} costs one comparison per node visit. */
    public void tracer(final PacketTracer tracer)
    {
        this.tracer = tracer;
    }

    /** Runs every packet of {@code batch} from the first node to completion. */
    public void run(final PacketBatch batch, final WorkerContext context)
    {
        run(batch, context, 0);
    }

    /**
     * Runs every packet of {@code batch} from node {@code entry} to completion: the nodes before it are not
     * visited (a network port's batch starts at ethernet-input, past the device-input arc).
     */
    public void run(final PacketBatch batch, final WorkerContext context, final int entry)
    {
        final int size = batch.size();
        if (size == 0)
        {
            return;
        }
        final int[] first = pending[entry];
        for (int i = 0; i < size; i++)
        {
            first[i] = i;
        }
        pendingCount[entry] = size;
        final WorkerCounters counters = context.counters;
        final PacketTracer tracer = this.tracer;
        for (int n = entry; n < nodes.length; n++)
        {
            final int count = pendingCount[n];
            if (count == 0)
            {
                continue;
            }
            pendingCount[n] = 0;
            final int[] vector = pending[n];
            if (tracer != PacketTracer.OFF)
            {
                tracer.beforeNode(nodes[n], batch, vector, count);
            }
            nodes[n].process(batch, vector, count, context);
            if (tracer != PacketTracer.OFF)
            {
                tracer.afterNode(nodes[n], batch, vector, count);
            }
            counters.add(layout.nodeCounter(n), count);
            enqueueNext(batch, vector, count);
        }
    }

    /**
     * Hands each packet of a processed vector to its next node. Packets of a batch mostly go the same
     * way, so a run to one next node is kept in locals and written back once (VPP's speculative enqueue).
     */
    private void enqueueNext(final PacketBatch batch, final int[] vector, final int count)
    {
        final int[] next = batch.next;
        int runNode = next[vector[0]];
        int[] runVector = runNode == DONE ? null : pending[runNode];
        int runCount = runNode == DONE ? 0 : pendingCount[runNode];
        for (int k = 0; k < count; k++)
        {
            final int packet = vector[k];
            final int target = next[packet];
            if (target != runNode)
            {
                if (runNode != DONE)
                {
                    pendingCount[runNode] = runCount;
                }
                runNode = target;
                if (target == DONE)
                {
                    continue;
                }
                runVector = pending[target];
                runCount = pendingCount[target];
            }
            if (runNode != DONE)
            {
                runVector[runCount++] = packet;
            }
        }
        if (runNode != DONE)
        {
            pendingCount[runNode] = runCount;
        }
    }
}
