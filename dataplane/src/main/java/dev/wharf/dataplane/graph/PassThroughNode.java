package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * A hook position with nothing plugged in: hands every packet on to one next node unchanged. The
 * pipeline without NAT fills ip4-nat-in and ip4-nat-out with these, so the graph has the same shape
 * (and the same node names in traces) with and without the NAT module.
 */
public final class PassThroughNode extends Node
{
    private static final int NEXT = 0;

    public PassThroughNode(final String name, final String nextName)
    {
        super(name, new String[]{nextName}, new String[0]);
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            next(batch, packets[k], NEXT);
        }
    }
}
