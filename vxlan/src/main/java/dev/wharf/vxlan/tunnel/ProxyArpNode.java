package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l2.ArpResponderNode;

import java.util.function.Supplier;

/**
 * overlay-proxy-arp, on the l2-flood-in arc (frames about to be flooded, as an ARP request is): a local container's ARP request for a remote endpoint the
 * control plane registered (its MAC and IP behind a VTEP) is answered here, on the far endpoint's
 * behalf, and never crosses the underlay (Docker's overlay has the kernel do this with static
 * neighbour entries and proxy ARP; VPP's l2 arp-term). Every other frame goes on to l2-flood, and so
 * does a request that came through a tunnel (the far host answers its own).
 */
public final class ProxyArpNode extends ArpResponderNode
{
    public static final String NAME = "overlay-proxy-arp";

    private final Supplier<OverlayTables> tables;
    private OverlayTables batchTables;

    public ProxyArpNode(final Supplier<OverlayTables> tables)
    {
        super(NAME);
        this.tables = tables;
    }

    @Override
    protected boolean active()
    {
        batchTables = tables.get();
        return batchTables.hasProxyArp();
    }

    @Override
    protected long answer(final PacketBatch batch, final int i, final int target, final WorkerContext context)
    {
        return batchTables.tunnelAt(batch.inPort[i]) != null ? 0 : batchTables.proxyArpMac(batch.network[i], target);
    }
}
