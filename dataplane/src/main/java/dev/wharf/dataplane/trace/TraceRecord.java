package dev.wharf.dataplane.trace;

import java.util.List;

/**
 * One traced packet's walk through the graph: where it came in, and a step per node visited with
 * that node's decision and the headers before and, when the node rewrote them, after.
 */
public record TraceRecord(long sequence, int worker, int inPort, long timestampNs, List<Step> steps)
{
    /**
     * @param node     the node's name.
     * @param before   the headers as the node received them.
     * @param decision where the node sent the packet: a next node, {@code done}, or {@code drop: reason}.
     * @param after    the headers after the node, or null when it did not change them.
     * @param detail   what else the node says it decided ({@code Node.traceDetail}: ip4-nat-in names a new
     *                 connection's virtual service, scheduler and backend), or null.
     */
    public record Step(String node, String before, String decision, String after, String detail)
    {
        /** A step with no detail. */
        public Step(final String node, final String before, final String decision, final String after)
        {
            this(node, before, decision, after, null);
        }
    }
}
