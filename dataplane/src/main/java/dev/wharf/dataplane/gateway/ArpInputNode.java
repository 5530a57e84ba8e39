package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * arp-input: answers ARP requests for the network's gateway address (RFC 826), rewriting the
 * request into the reply in place and sending it back out of the ingress port; on the uplink that
 * address is the host's outside address. Every ARP frame the gateway hears teaches its neighbour
 * table the sender's address when the sender is on the network's subnet ("gleaning", RFC 826's
 * merge step): this is how the answer to ip4-arp's request, the uplink router's among them, is
 * learned. ARP frames that are not for the gateway were already flooded to the other ports and end here.
 */
public final class ArpInputNode extends Node
{
    public static final String NAME = CoreNodes.ARP_INPUT;

    private static final int NEXT_OUTPUT = 0;

    public enum Error
    {
        REPLIED,
        /** A reply to the gateway's own request: learned, consumed. */
        REPLY_RECEIVED,
        NOT_FOR_GATEWAY,
        TRUNCATED,
        UNSUPPORTED_FORMAT,
        UNSUPPORTED_OPERATION
    }

    private final ArpFlyweight arp = new ArpFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    public ArpInputNode()
    {
        super(NAME, new String[]{FeatureArc.L2_OUTPUT}, names(Error.values()), names(Error.REPLIED, Error.REPLY_RECEIVED));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final boolean flooded = (batch.flags[i] & (PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_MULTICAST)) != 0;
            final int l3 = batch.l3Offset[i];
            if (batch.length[i] < l3 + ArpFlyweight.LENGTH)
            {
                refuse(batch, i, flooded, Error.TRUNCATED.ordinal(), context);
                continue;
            }
            final UnsafeBuffer frame = batch.frame(i);
            arp.wrap(frame, l3);
            if (!arp.isEthernetIpv4())
            {
                refuse(batch, i, flooded, Error.UNSUPPORTED_FORMAT.ordinal(), context);
                continue;
            }
            final NetworkState network = context.snapshot.network(batch.network[i]);
            glean(network, context.nowMs);
            final int target = arp.targetIp();
            final long ownMac = target == network.gatewayIp ? network.gatewayMac :
                target == network.hostIp && target != 0 ? network.hostMac : 0;
            if (ownMac == 0)
            {
                endNotForUs(batch, i, flooded, context);
                continue;
            }
            final int operation = arp.operation();
            if (operation != ArpFlyweight.OP_REQUEST)
            {
                if (operation == ArpFlyweight.OP_REPLY)
                {
                    count(context, Error.REPLY_RECEIVED.ordinal());
                    done(batch, i);
                }
                else
                {
                    refuse(batch, i, flooded, Error.UNSUPPORTED_OPERATION.ordinal(), context);
                }
                continue;
            }
            final long requesterMac = arp.senderMac();
            final int requesterIp = arp.senderIp();
            arp.operation(ArpFlyweight.OP_REPLY)
                .targetMac(requesterMac)
                .targetIp(requesterIp)
                .senderMac(ownMac)
                .senderIp(target);
            ethernet.wrap(frame, 0);
            ethernet.destination(ethernet.source()).source(ownMac);
            batch.outPort[i] = batch.inPort[i];
            count(context, Error.REPLIED.ordinal());
            next(batch, i, NEXT_OUTPUT);
        }
    }

    /** Learns the sender of the wrapped ARP packet when it is a host of the network; a probe (sender 0.0.0.0) teaches nothing. */
    private void glean(final NetworkState network, final long nowMs)
    {
        final int sender = arp.senderIp();
        final long mac = arp.senderMac();
        if (sender != 0 && sender != network.gatewayIp && sender != network.hostIp && network.contains(sender) && mac != 0 && !MacAddress.isMulticast(mac))
        {
            network.neighbours.learn(sender, mac, nowMs);
        }
    }

    /** A flooded frame was delivered to the other ports already: the gateway's refusal is counted, not a drop. */
    private void refuse(final PacketBatch batch, final int i, final boolean flooded, final int error, final WorkerContext context)
    {
        if (flooded)
        {
            count(context, error);
            done(batch, i);
        }
        else
        {
            drop(batch, i, error);
        }
    }

    private void endNotForUs(final PacketBatch batch, final int i, final boolean flooded, final WorkerContext context)
    {
        if (flooded)
        {
            done(batch, i);
        }
        else
        {
            drop(batch, i, Error.NOT_FOR_GATEWAY.ordinal());
        }
    }
}
