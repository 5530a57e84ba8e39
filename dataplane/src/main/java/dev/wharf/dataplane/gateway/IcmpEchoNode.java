package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * icmp-echo: the switch's answer to ping (RFC 792, RFC 1122 section 3.2.2.6) for any of its own
 * addresses (ip4-local sends only those). The request becomes the reply in place: addresses swapped,
 * so the reply comes from the address that was pinged (RFC 1122 3.2.2.6), type 0, TTL reset, both
 * checksums updated incrementally (RFC 1624), then it leaves by the port it came in on, from the
 * gateway MAC it was sent to.
 */
public final class IcmpEchoNode extends Node
{
    public static final String NAME = CoreNodes.ICMP_ECHO;
    public static final int REPLY_TTL = 64;

    private static final int NEXT_OUTPUT = 0;

    public enum Error
    {
        REPLIED,
        TRUNCATED,
        BAD_CHECKSUM,
        UNSUPPORTED_TYPE
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    public IcmpEchoNode()
    {
        super(NAME, new String[]{FeatureArc.L2_OUTPUT}, names(Error.values()), names(Error.REPLIED));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final UnsafeBuffer frame = batch.frame(i);
            final int l3 = batch.l3Offset[i];
            final int l4 = batch.l4Offset[i];
            ip.wrap(frame, l3);
            final int icmpLength = ip.totalLength() - (l4 - l3);
            if (icmpLength < IcmpFlyweight.HEADER_LENGTH)
            {
                drop(batch, i, Error.TRUNCATED.ordinal());
                continue;
            }
            icmp.wrap(frame, l4);
            if (icmp.type() != IcmpFlyweight.TYPE_ECHO_REQUEST || icmp.code() != 0)
            {
                drop(batch, i, Error.UNSUPPORTED_TYPE.ordinal());
                continue;
            }
            if (!icmp.isChecksumValid(icmpLength))
            {
                drop(batch, i, Error.BAD_CHECKSUM.ordinal());
                continue;
            }
            final NetworkState network = context.snapshot.network(batch.network[i]);
            icmp.type(IcmpFlyweight.TYPE_ECHO_REPLY);
            icmp.checksum(Checksums.update16(icmp.checksum(), IcmpFlyweight.TYPE_ECHO_REQUEST << 8, IcmpFlyweight.TYPE_ECHO_REPLY << 8));

            final int requester = ip.source();
            final int oldTtlProtocol = (ip.ttl() << 8) | ip.protocol();
            ip.source(ip.destination()).destination(requester).ttl(REPLY_TTL);
            // swapped addresses leave the header sum as it was; only TTL moves it
            ip.checksum(Checksums.update16(ip.checksum(), oldTtlProtocol, (REPLY_TTL << 8) | ip.protocol()));

            ethernet.wrap(frame, 0);
            ethernet.destination(ethernet.source()).source(network.gatewayMac);
            batch.length[i] = l3 + ip.totalLength();
            batch.outPort[i] = batch.inPort[i];
            count(context, Error.REPLIED.ordinal());
            next(batch, i, NEXT_OUTPUT);
        }
    }
}
