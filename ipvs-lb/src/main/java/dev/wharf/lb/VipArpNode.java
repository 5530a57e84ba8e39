package dev.wharf.lb;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.ArpResponderNode;

import java.util.function.Supplier;

/**
 * lb-vip-arp, on the l2-flood-in arc: a container's ARP request for a VIP inside its own network's
 * subnet (Swarm puts service VIPs in the network's subnet) is answered with the network's gateway MAC,
 * so that its connections to the VIP reach the gateway, where ip4-nat-in schedules them. A VIP outside
 * every subnet needs no ARP: containers route to it through their gateway.
 */
final class VipArpNode extends ArpResponderNode
{
    static final String NAME = "lb-vip-arp";

    private final Supplier<ServiceTable> tables;
    private ServiceTable batchTable;

    VipArpNode(final Supplier<ServiceTable> tables)
    {
        super(NAME);
        this.tables = tables;
    }

    @Override
    protected boolean active()
    {
        batchTable = tables.get();
        return batchTable.hasVips();
    }

    @Override
    protected long answer(final PacketBatch batch, final int i, final int target, final WorkerContext context)
    {
        final NetworkState network = context.snapshot.network(batch.network[i]);
        return network != null && !network.uplink && network.contains(target) && batchTable.isVip(target) ? network.gatewayMac : 0;
    }
}
