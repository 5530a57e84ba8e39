package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * A step of the packet pipeline (VPP's vlib_node). It processes a vector of packet indices of one
 * batch and sets each packet's next node. Its errors (named counters, drops among them) and next
 * nodes are declared by name; the {@link NodeGraph} resolves them to ids once.
 *
 * <p>A node instance belongs to one worker's graph and runs only on that worker's thread.
 */
public abstract class Node
{
    private final String name;
    private final String[] nextNames;
    private final String[] errorNames;
    private final boolean[] events;
    private int[] nextIds;
    private int errorBase;
    private int dropNodeId;
    private int id;

    /** A node whose every error is a drop reason. */
    protected Node(final String name, final String[] nextNames, final String[] errorNames)
    {
        this(name, nextNames, errorNames, new String[0]);
    }

    /**
     * A node whose errors {@code eventNames} (a subset of {@code errorNames}) are events it counts with
     * {@link #count} (a reply sent, a MAC learned) and the others drop reasons it gives {@link #drop}: the
     * kind is part of the declaration, so metrics and {@code wharf stats} tell drops from events without a
     * list kept elsewhere (VPP's error severity: {@code VL_COUNTER_SEVERITY_INFO} against {@code _ERROR}).
     */
    protected Node(final String name, final String[] nextNames, final String[] errorNames, final String[] eventNames)
    {
        this.name = name;
        this.nextNames = nextNames.clone();
        this.errorNames = errorNames.clone();
        this.events = new boolean[errorNames.length];
        for (final String event : eventNames)
        {
            final int index = java.util.Arrays.asList(errorNames).indexOf(event);
            if (index < 0)
            {
                throw new IllegalArgumentException(name + " declares event " + event + " that is not one of its errors");
            }
            events[index] = true;
        }
    }

    public final String name()
    {
        return name;
    }

    public final int id()
    {
        return id;
    }

    final String[] nextNames()
    {
        return nextNames;
    }

    final String[] errorNames()
    {
        return errorNames;
    }

    /** Whether error number {@code error} of this node is an event (counted) rather than a drop reason. */
    final boolean isEvent(final int error)
    {
        return events[error];
    }

    final void bind(final int id, final int[] nextIds, final int errorBase, final int dropNodeId)
    {
        this.id = id;
        this.nextIds = nextIds;
        this.errorBase = errorBase;
        this.dropNodeId = dropNodeId;
    }

    /** Processes {@code count} packets whose batch indices are {@code packets[0..count)}. */
    public abstract void process(PacketBatch batch, int[] packets, int count, WorkerContext context);

    /**
     * What this node decided about traced packet {@code i} beyond its next node, in words, or null for
     * nothing (VPP's per-node trace formatter): called by the tracer right after {@link #process}, for
     * traced packets only, so it may allocate; a node keeps what it needs by batch index while it
     * processes, at no cost worth the name, and formats it only here.
     */
    public String traceDetail(final PacketBatch batch, final int i)
    {
        return null;
    }

    /** Sends packet {@code i} to next node number {@code next} of {@link #nextNames}. */
    protected final void next(final PacketBatch batch, final int i, final int next)
    {
        batch.next[i] = nextIds[next];
    }

    /** Ends packet {@code i}'s walk: it has been sent (or consumed) and needs no further node. */
    protected static void done(final PacketBatch batch, final int i)
    {
        batch.next[i] = NodeGraph.DONE;
    }

    /** Drops packet {@code i}, counting it under error number {@code error} of this node. */
    protected final void drop(final PacketBatch batch, final int i, final int error)
    {
        batch.next[i] = dropNodeId;
        batch.dropReason[i] = errorBase + error;
    }

    /** Counts an event that is not a drop (a MAC move, an unknown unicast). */
    protected final void count(final WorkerContext context, final int error)
    {
        context.counters.increment(errorBase + error);
    }

    /** Counts {@code events} events at once (entries a table pass removed). */
    protected final void count(final WorkerContext context, final int error, final long events)
    {
        context.counters.add(errorBase + error, events);
    }

    /** Names of an enum's constants in the kebab-case used for counters. */
    protected static String[] names(final Enum<?>... values)
    {
        final String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++)
        {
            names[i] = values[i].name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        return names;
    }
}
