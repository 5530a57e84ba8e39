package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.graph.CoreNodes;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;

/** interface-output: sends each packet out of the port forwarding chose ({@link PacketBatch#outPort}). */
public final class InterfaceOutputNode extends Node
{
    public static final String NAME = CoreNodes.INTERFACE_OUTPUT;

    public enum Error
    {
        PORT_GONE,
        VLAN_NOT_CARRIED,
        EGRESS_MTU_EXCEEDED,
        TX_QUEUE_FULL
    }

    public InterfaceOutputNode()
    {
        super(NAME, new String[0], names(Error.values()));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final PortBinding out = context.snapshot.port(batch.outPort[i]);
            if (out == null)
            {
                drop(batch, i, Error.PORT_GONE.ordinal());
                continue;
            }
            switch (Egress.send(batch, i, out, context))
            {
                case Egress.SENT:
                    done(batch, i);
                    break;
                case Egress.NOT_CARRIED:
                    drop(batch, i, Error.VLAN_NOT_CARRIED.ordinal());
                    break;
                case Egress.TOO_BIG:
                    drop(batch, i, Error.EGRESS_MTU_EXCEEDED.ordinal());
                    break;
                default:
                    drop(batch, i, Error.TX_QUEUE_FULL.ordinal());
                    break;
            }
        }
    }
}
