package dev.wharf.dns;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import dev.wharf.dataplane.punt.PuntMessage;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * dns-punt, on the ip4-local-in arc: a DNS query (UDP or TCP to port 53) addressed to the gateway of the network it
 * arrived on, where that network has its DNS service on, is copied to the control plane's DNS server through the
 * worker's punt ring; everything else goes on to ip4-local (ping, port unreachable, reset). A query to another
 * network's gateway, or from the uplink, is not punted: only a network's own containers ask its server.
 */
final class DnsPuntNode extends Node
{
    static final String NAME = "dns-punt";
    static final int DNS_PORT = 53;

    enum Error
    {
        /** Counted, not dropped: handed to the DNS server. */
        PUNTED,
        PUNT_QUEUE_FULL,
        /** Larger than the punt path carries (4 KB): no DNS query is. */
        OVERSIZE
    }

    private static final int NEXT_ON_ARC = 0;

    private final int service;
    private final Supplier<DnsZones> scopes;
    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    DnsPuntNode(final int service, final Supplier<DnsZones> scopes)
    {
        super(NAME, new String[]{FeatureArc.NEXT}, names(Error.values()), names(Error.PUNTED));
        this.service = service;
        this.scopes = scopes;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DnsZones served = scopes.get();
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if (!served.serves(batch.network[i]) || !isQueryToOwnGateway(batch, i, context))
            {
                next(batch, i, NEXT_ON_ARC);
                continue;
            }
            if (batch.length[i] > PuntMessage.MAX_FRAME)
            {
                drop(batch, i, Error.OVERSIZE.ordinal());
            }
            else if (context.punt.punt(service, batch, i))
            {
                count(context, Error.PUNTED.ordinal());
                done(batch, i);
            }
            else
            {
                drop(batch, i, Error.PUNT_QUEUE_FULL.ordinal());
            }
        }
    }

    private boolean isQueryToOwnGateway(final PacketBatch batch, final int i, final WorkerContext context)
    {
        final UnsafeBuffer frame = batch.frame(i);
        final int l3 = batch.l3Offset[i];
        ip.wrap(frame, l3);
        final int protocol = ip.protocol();
        if (protocol != Ipv4Flyweight.PROTOCOL_UDP && protocol != Ipv4Flyweight.PROTOCOL_TCP || ip.isFragment())
        {
            return false;
        }
        final NetworkState network = context.snapshot.network(batch.network[i]);
        if (network == null || ip.destination() != network.gatewayIp)
        {
            return false;
        }
        final int l4 = batch.l4Offset[i];
        if (l4 + UdpFlyweight.HEADER_LENGTH > batch.length[i])
        {
            return false;
        }
        return (frame.getShort(l4 + UdpFlyweight.DESTINATION_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) == DNS_PORT;
    }
}
