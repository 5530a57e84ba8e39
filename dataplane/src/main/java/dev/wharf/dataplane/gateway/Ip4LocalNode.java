package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.graph.CoreNodes;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ip4-local: packets addressed to the switch itself, any network's gateway address or the uplink's
 * address (ip4-lookup decided). Wharf runs no services there: ping is answered (icmp-echo), UDP gets
 * ICMP port unreachable as the kernel sends it when no socket listens (RFC 1122 4.1.3.1), TCP gets
 * the reset a closed port answers with (tcp-reset), and fragments and every other protocol are
 * dropped and counted. Reassembly is not done: a fragment to the gateway is refused rather than held.
 */
public final class Ip4LocalNode extends Node
{
    public static final String NAME = CoreNodes.IP4_LOCAL;

    private static final int NEXT_ECHO = 0;
    private static final int NEXT_ICMP_ERROR = 1;
    private static final int NEXT_TCP_RESET = 2;

    private static final int PORT_UNREACHABLE =
        IcmpErrorNode.encode(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_PORT_UNREACHABLE);

    public enum Error
    {
        FRAGMENT_TO_GATEWAY,
        /** Counted, not dropped: the packet became an ICMP port unreachable. */
        PORT_UNREACHABLE,
        PROTOCOL_UNSUPPORTED_BY_GATEWAY
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    public Ip4LocalNode()
    {
        super(NAME, new String[]{CoreNodes.ICMP_ECHO, CoreNodes.ICMP_ERROR, CoreNodes.TCP_RESET}, names(Error.values()), names(Error.PORT_UNREACHABLE));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final UnsafeBuffer frame = batch.frame(i);
            ip.wrap(frame, batch.l3Offset[i]);
            if (ip.isFragment())
            {
                drop(batch, i, Error.FRAGMENT_TO_GATEWAY.ordinal());
                continue;
            }
            switch (ip.protocol())
            {
                case Ipv4Flyweight.PROTOCOL_ICMP:
                    next(batch, i, NEXT_ECHO);
                    break;
                case Ipv4Flyweight.PROTOCOL_TCP:
                    next(batch, i, NEXT_TCP_RESET);
                    break;
                case Ipv4Flyweight.PROTOCOL_UDP:
                    count(context, Error.PORT_UNREACHABLE.ordinal());
                    batch.icmpError[i] = PORT_UNREACHABLE;
                    next(batch, i, NEXT_ICMP_ERROR);
                    break;
                default:
                    drop(batch, i, Error.PROTOCOL_UNSUPPORTED_BY_GATEWAY.ordinal());
                    break;
            }
        }
    }
}
