package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * {@value NodeGraph#DROP_NODE}: the one place drops are counted, under the reason the dropping node
 * set, and against the ingress port. The frame's memory goes back with the rest of the batch.
 */
public final class DropNode extends Node
{
    public DropNode()
    {
        super(NodeGraph.DROP_NODE, new String[0], new String[0]);
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final WorkerCounters counters = context.counters;
        final CounterLayout layout = context.layout;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            counters.increment(batch.dropReason[i]);
            final int port = batch.inPort[i];
            if (port >= 0 && port < CounterLayout.MAX_PORTS)
            {
                counters.increment(layout.portCounter(port, CounterLayout.PORT_RX_DROPS));
            }
            done(batch, i);
        }
    }
}
