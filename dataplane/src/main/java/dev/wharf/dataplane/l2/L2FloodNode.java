package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.graph.CoreNodes;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;

/**
 * l2-flood: sends a broadcast, multicast or unknown-unicast frame to every other port of its
 * network that carries its VLAN, never back out of the ingress port and never into another
 * network. Ports copy on send, so one frame serves every copy. A broadcast or multicast ARP frame
 * then goes on to arp-input, because the gateway is a member of the network too. On a network
 * without inter-container communication (icc false) no other port gets a copy: only the gateway
 * hears the frame.
 */
public final class L2FloodNode extends Node
{
    public static final String NAME = CoreNodes.L2_FLOOD;

    private static final int NEXT_ARP = 0;
    private static final int[] NO_PORTS = new int[0];

    public enum Error
    {
        FLOODED,
        NO_OTHER_PORT,
        ICC_DENIED
    }

    public L2FloodNode()
    {
        super(NAME, new String[]{CoreNodes.ARP_INPUT}, names(Error.values()), names(Error.ICC_DENIED, Error.FLOODED, Error.NO_OTHER_PORT));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final NetworkState network = snapshot.network(batch.network[i]);
            final boolean icc = network.policy.icc();
            final int[] members = icc ? network.portIds : NO_PORTS;
            final int inPort = batch.inPort[i];
            // copies go to all of a tunnel port's peers; the ingress peer stays for what answers the sender (arp-input)
            final int ingressPeer = batch.portPeer[i];
            batch.portPeer[i] = 0;
            int sent = 0;
            for (final int member : members)
            {
                if (member == inPort)
                {
                    continue;
                }
                final PortBinding out = snapshot.port(member);
                if (out != null && Egress.send(batch, i, out, context) == Egress.SENT)
                {
                    sent++;
                }
            }
            batch.portPeer[i] = ingressPeer;
            count(context, !icc ? Error.ICC_DENIED.ordinal() : sent > 0 ? Error.FLOODED.ordinal() : Error.NO_OTHER_PORT.ordinal());
            final int flags = batch.flags[i];
            // the gateway hears broadcast and multicast ARP; a unicast one flooded for an unknown MAC is not for it
            if ((flags & PacketBatch.FLAG_ARP) != 0 && (flags & (PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_MULTICAST)) != 0)
            {
                next(batch, i, NEXT_ARP);
            }
            else
            {
                done(batch, i);
            }
        }
    }
}
