package dev.wharf.dataplane.graph;

/**
 * Where each counter sits in a worker's {@code long[]}: first every node error (drops and events,
 * named {@code node.error}, each of the kind its node declared), then one packet count per node, then a
 * block per port id.
 * All workers' graphs are built alike, so they share one layout.
 */
public final class CounterLayout
{
    public static final int MAX_PORTS = 4096;

    public static final int PORT_RX_PACKETS = 0;
    public static final int PORT_RX_BYTES = 1;
    public static final int PORT_TX_PACKETS = 2;
    public static final int PORT_TX_BYTES = 3;
    public static final int PORT_RX_DROPS = 4;
    public static final int PORT_TX_DROPS = 5;
    /**
     * Frames the kernel dropped before the worker could receive them (the port's receive ring or socket
     * buffer was full): counted by the kernel, read now and then by the worker that owns the queue
     * ({@code PortQueue.takeKernelDrops}), and kept apart from {@link #PORT_RX_DROPS}, which the pipeline counts.
     */
    public static final int PORT_RX_KERNEL_DROPS = 6;
    public static final int PORT_STRIDE = 8;

    private final String[] errorNames;
    private final String[] errorNodes;
    private final String[] errorReasons;
    private final boolean[] events;
    private final String[] nodeNames;
    private final int nodeBase;
    private final int portBase;

    CounterLayout(final String[] errorNames, final String[] errorNodes, final String[] errorReasons, final boolean[] events,
        final String[] nodeNames)
    {
        this.errorNames = errorNames;
        this.errorNodes = errorNodes;
        this.errorReasons = errorReasons;
        this.events = events;
        this.nodeNames = nodeNames;
        this.nodeBase = errorNames.length;
        this.portBase = nodeBase + nodeNames.length;
    }

    public int errorCount()
    {
        return errorNames.length;
    }

    public String errorName(final int error)
    {
        return errorNames[error];
    }

    /** The node that declared error {@code error}. */
    public String errorNode(final int error)
    {
        return errorNodes[error];
    }

    /** Error {@code error}'s name within its node (the part after {@code node.}). */
    public String errorReason(final int error)
    {
        return errorReasons[error];
    }

    /** Whether error {@code error} is a drop reason (the packet went to error-drop) rather than a counted event. */
    public boolean isDrop(final int error)
    {
        return !events[error];
    }

    /** The id of error {@code name} ({@code node.error}), or -1. */
    public int errorId(final String name)
    {
        for (int i = 0; i < errorNames.length; i++)
        {
            if (errorNames[i].equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    public int nodeCount()
    {
        return nodeNames.length;
    }

    public String nodeName(final int node)
    {
        return nodeNames[node];
    }

    public int nodeCounter(final int node)
    {
        return nodeBase + node;
    }

    public int portCounter(final int portId, final int which)
    {
        return portBase + portId * PORT_STRIDE + which;
    }

    public int size()
    {
        return portBase + MAX_PORTS * PORT_STRIDE;
    }
}
