package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.MacAddress;

/**
 * l2-forward: the forwarding decision. Broadcast, multicast and unknown unicast go to l2-flood;
 * frames for the network's gateway MAC go up to the gateway's ARP and IPv4 input; a known
 * destination goes to interface-output, except back out of the port it came in on. On a network
 * without inter-container communication (icc false) containers reach only the gateway: unicast to
 * any other MAC, known or not, is dropped (ICC_DENIED), as Docker's DROP rule between the bridge's
 * ports does.
 */
public final class L2ForwardNode extends Node
{
    public static final String NAME = CoreNodes.L2_FORWARD;

    private static final int NEXT_FLOOD = 0;
    private static final int NEXT_ARP = 1;
    private static final int NEXT_IP4 = 2;
    private static final int NEXT_OUTPUT = 3;

    public enum Error
    {
        UNKNOWN_UNICAST,
        SAME_PORT,
        GATEWAY_PROTOCOL_UNSUPPORTED,
        ICC_DENIED
    }

    public L2ForwardNode()
    {
        super(NAME, new String[]{FeatureArc.L2_FLOOD_IN, CoreNodes.ARP_INPUT, CoreNodes.IP4_INPUT, FeatureArc.L2_OUTPUT},
            names(Error.values()), names(Error.UNKNOWN_UNICAST));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final int flags = batch.flags[i];
            if ((flags & (PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_MULTICAST)) != 0)
            {
                next(batch, i, NEXT_FLOOD);
                continue;
            }
            final NetworkState network = snapshot.network(batch.network[i]);
            final long destination = MacAddress.readAt(batch.address[i] + EthernetFlyweight.DESTINATION_OFFSET);
            if (network.isRouterMac(destination))
            {
                if ((flags & PacketBatch.FLAG_IPV4) != 0)
                {
                    next(batch, i, NEXT_IP4);
                }
                else if ((flags & PacketBatch.FLAG_ARP) != 0)
                {
                    next(batch, i, NEXT_ARP);
                }
                else
                {
                    drop(batch, i, Error.GATEWAY_PROTOCOL_UNSUPPORTED.ordinal());
                }
                continue;
            }
            if (!network.policy.icc())
            {
                drop(batch, i, Error.ICC_DENIED.ordinal());
                continue;
            }
            final long entry = network.fdb.lookupEntry(destination, batch.vlan[i]);
            final int out = FdbTable.portOf(entry);
            if (entry == FdbTable.MISSING)
            {
                count(context, Error.UNKNOWN_UNICAST.ordinal());
                next(batch, i, NEXT_FLOOD);
            }
            else if (out == batch.inPort[i])
            {
                drop(batch, i, Error.SAME_PORT.ordinal());
            }
            else
            {
                batch.outPort[i] = out;
                batch.portPeer[i] = FdbTable.peerOf(entry);
                next(batch, i, NEXT_OUTPUT);
            }
        }
    }
}
