package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.graph.CoreNodes;

import dev.wharf.dataplane.table.FdbTable;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.MacAddress;

/**
 * l2-learn: records each frame's (source MAC, VLAN) against its ingress port in the network's FDB.
 * A frame from a new MAC beyond the port's learning limit is dropped (MAC-flood protection, as
 * port security does); a full table only stops learning, so traffic floods instead.
 */
public final class L2LearnNode extends Node
{
    public static final String NAME = CoreNodes.L2_LEARN;

    private static final int NEXT_FORWARD = 0;

    public enum Error
    {
        NEW_MAC,
        MAC_MOVE,
        MAC_LIMIT,
        TABLE_FULL,
        STATIC_MAC_CONFLICT,
        NO_NETWORK
    }

    public L2LearnNode()
    {
        super(NAME, new String[]{dev.wharf.dataplane.graph.FeatureArc.L2_FORWARD_IN}, names(Error.values()), names(Error.NEW_MAC, Error.MAC_MOVE, Error.TABLE_FULL));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        final long nowMs = context.nowMs;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final NetworkState network = snapshot.network(batch.network[i]);
            final PortBinding port = snapshot.port(batch.inPort[i]);
            if (network == null || port == null)
            {
                drop(batch, i, Error.NO_NETWORK.ordinal());
                continue;
            }
            if (!port.learns)
            {
                next(batch, i, NEXT_FORWARD);
                continue;
            }
            final long source = MacAddress.readAt(batch.address[i] + EthernetFlyweight.SOURCE_OFFSET);
            switch (network.fdb.learn(source, batch.vlan[i], port.id, batch.portPeer[i], nowMs, port.macLimit))
            {
                case FdbTable.REFRESHED:
                    next(batch, i, NEXT_FORWARD);
                    break;
                case FdbTable.LEARNED:
                    count(context, Error.NEW_MAC.ordinal());
                    next(batch, i, NEXT_FORWARD);
                    break;
                case FdbTable.MOVED:
                    count(context, Error.MAC_MOVE.ordinal());
                    next(batch, i, NEXT_FORWARD);
                    break;
                case FdbTable.LIMIT_REACHED:
                    drop(batch, i, Error.MAC_LIMIT.ordinal());
                    break;
                case FdbTable.STATIC_CONFLICT:
                    drop(batch, i, Error.STATIC_MAC_CONFLICT.ordinal());
                    break;
                default:
                    count(context, Error.TABLE_FULL.ordinal());
                    next(batch, i, NEXT_FORWARD);
                    break;
            }
        }
    }
}
