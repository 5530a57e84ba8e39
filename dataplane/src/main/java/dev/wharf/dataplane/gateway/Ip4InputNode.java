package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ip4-input: validates IPv4 frames sent to the gateway MAC (RFC 1812 section 5.2.2: version, header
 * length, total length, header checksum), records the L4 offset, and dispatches what the gateway
 * itself answers. Routing to other networks and the uplink comes later; until then such packets
 * are dropped as having no route.
 */
public final class Ip4InputNode extends Node
{
    public static final String NAME = "ip4-input";

    private static final int NEXT_ICMP = 0;

    public enum Error
    {
        TRUNCATED,
        BAD_VERSION,
        BAD_HEADER_LENGTH,
        BAD_TOTAL_LENGTH,
        BAD_CHECKSUM,
        FRAGMENT_TO_GATEWAY,
        PROTOCOL_UNSUPPORTED_BY_GATEWAY,
        NO_ROUTE
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    public Ip4InputNode()
    {
        super(NAME, new String[]{IcmpEchoNode.NAME}, names(Error.values()));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final int l3 = batch.l3Offset[i];
            final int available = batch.length[i] - l3;
            if (available < Ipv4Flyweight.MIN_HEADER_LENGTH)
            {
                drop(batch, i, Error.TRUNCATED.ordinal());
                continue;
            }
            final UnsafeBuffer frame = batch.frame(i);
            ip.wrap(frame, l3);
            if (ip.version() != 4)
            {
                drop(batch, i, Error.BAD_VERSION.ordinal());
                continue;
            }
            final int headerLength = ip.headerLength();
            if (headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || headerLength > available)
            {
                drop(batch, i, Error.BAD_HEADER_LENGTH.ordinal());
                continue;
            }
            final int totalLength = ip.totalLength();
            if (totalLength < headerLength || totalLength > available)
            {
                drop(batch, i, Error.BAD_TOTAL_LENGTH.ordinal());
                continue;
            }
            if (!ip.isChecksumValid())
            {
                drop(batch, i, Error.BAD_CHECKSUM.ordinal());
                continue;
            }
            batch.l4Offset[i] = l3 + headerLength;
            final NetworkState network = context.snapshot.network(batch.network[i]);
            if (ip.destination() != network.gatewayIp)
            {
                drop(batch, i, Error.NO_ROUTE.ordinal());
            }
            else if (ip.isFragment())
            {
                drop(batch, i, Error.FRAGMENT_TO_GATEWAY.ordinal());
            }
            else if (ip.protocol() == Ipv4Flyweight.PROTOCOL_ICMP)
            {
                next(batch, i, NEXT_ICMP);
            }
            else
            {
                drop(batch, i, Error.PROTOCOL_UNSUPPORTED_BY_GATEWAY.ordinal());
            }
        }
    }
}
