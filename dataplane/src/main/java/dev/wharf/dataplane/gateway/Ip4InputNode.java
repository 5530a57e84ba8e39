package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ip4-input: validates IPv4 frames sent to the gateway MAC (RFC 1812 section 5.2.2: version, header
 * length, total length, header checksum), records the L4 offset, gleans the sender's address (a
 * host that sends to the gateway is at the frame's source MAC, so replies need no ARP round trip),
 * and hands every valid packet to {@value Pipeline#IP4_NAT_IN} and then ip4-lookup, which decide
 * whether it is for the gateway itself or to be routed.
 */
public final class Ip4InputNode extends Node
{
    public static final String NAME = CoreNodes.IP4_INPUT;

    private static final int NEXT_NAT_IN = 0;

    public enum Error
    {
        TRUNCATED,
        BAD_VERSION,
        BAD_HEADER_LENGTH,
        BAD_TOTAL_LENGTH,
        BAD_CHECKSUM,
        NO_NETWORK
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    public Ip4InputNode()
    {
        super(NAME, new String[]{FeatureArc.IP4_PREROUTING}, names(Error.values()));
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
            if (network == null)
            {
                drop(batch, i, Error.NO_NETWORK.ordinal());
                continue;
            }
            glean(network, ip.source(), batch.address[i], context.nowMs);
            next(batch, i, NEXT_NAT_IN);
        }
    }

    /** Only a sender on the network's own subnet is a neighbour; anything else came through a router. */
    private static void glean(final NetworkState network, final int source, final long frameAddress, final long nowMs)
    {
        if (source != network.gatewayIp && source != 0 && network.contains(source))
        {
            network.neighbours.learn(source, MacAddress.readAt(frameAddress + EthernetFlyweight.SOURCE_OFFSET), nowMs);
        }
    }
}
