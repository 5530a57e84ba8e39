package dev.wharf.dataplane.gateway;

import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * tcp-reset: the switch's answer to TCP for any of its own addresses (ip4-local sends only those).
 * Wharf listens on no TCP port there, so every segment meets a CLOSED port and gets the reset RFC 9293
 * 3.10.7.1 (RFC 793 p.36) prescribes, as the Linux kernel sends it: the client sees "connection
 * refused" at once instead of waiting for its timeout. A segment with ACK gets
 * {@code <SEQ=SEG.ACK><CTL=RST>}; any other {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}, SEG.LEN
 * counting the payload, SYN and FIN. A reset is never answered: two ends that both did would reset
 * each other forever. Nor is a source that names no one host (0/8, loopback, multicast, the ingress
 * subnet's broadcast): the reset would go nowhere or everywhere.
 *
 * <p>The segment becomes the reset in place: fresh 20-byte IPv4 and TCP headers at its L3 offset (its
 * IP and TCP options and its payload are gone), from the address the segment was sent to, TTL
 * {@link IcmpEchoNode#REPLY_TTL}, DF and ID 0 as Linux sends it, window 0; it leaves by the port it
 * came in on (in the VLAN it came in), from the ingress network's gateway MAC it was sent to.
 *
 * <p>Not rate-limited: every segment earns at most one 40-byte datagram, no larger than the segment
 * itself, so a flood of segments cannot make the switch an amplifier (Linux does not limit these
 * resets either).
 *
 * <p>The checksum is verified with the pseudo-header, except when the frame's offload says it is
 * partial ({@link OffloadInfo#needsChecksum}): a local sender's kernel left it for the NIC to fill, and
 * the frame never crossed a wire that could corrupt it.
 */
public final class TcpResetNode extends Node
{
    public static final String NAME = CoreNodes.TCP_RESET;

    private static final int NEXT_OUTPUT = 0;
    private static final int REPLY_LENGTH = Ipv4Flyweight.MIN_HEADER_LENGTH + TcpFlyweight.MIN_HEADER_LENGTH;

    public enum Error
    {
        /** Counted, not dropped: the segment became a reset. */
        RESET_SENT,
        TRUNCATED,
        BAD_SOURCE,
        BAD_CHECKSUM,
        /** A reset to the switch: dropped unanswered. */
        RESET_RECEIVED
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    public TcpResetNode()
    {
        super(NAME, new String[]{FeatureArc.L2_OUTPUT}, names(Error.values()), names(Error.RESET_SENT));
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
            final int segmentLength = ip.totalLength() - (l4 - l3); // ip4-input checked the total length against the frame
            if (segmentLength < TcpFlyweight.MIN_HEADER_LENGTH)
            {
                drop(batch, i, Error.TRUNCATED.ordinal());
                continue;
            }
            tcp.wrap(frame, l4);
            final int headerLength = tcp.headerLength();
            if (headerLength < TcpFlyweight.MIN_HEADER_LENGTH || headerLength > segmentLength)
            {
                drop(batch, i, Error.TRUNCATED.ordinal());
                continue;
            }
            final NetworkState network = context.snapshot.network(batch.network[i]);
            final int peer = ip.source();
            if (!IcmpErrorNode.isUnicastHost(peer) || IcmpErrorNode.isSubnetBroadcast(network, peer))
            {
                drop(batch, i, Error.BAD_SOURCE.ordinal());
                continue;
            }
            if (!OffloadInfo.needsChecksum(batch.offload[i]) && !tcp.isChecksumValid(ip.pseudoHeaderSum(segmentLength), segmentLength))
            {
                drop(batch, i, Error.BAD_CHECKSUM.ordinal());
                continue;
            }
            final int flags = tcp.flags();
            if ((flags & TcpFlyweight.RST) != 0)
            {
                drop(batch, i, Error.RESET_RECEIVED.ordinal());
                continue;
            }

            // everything the reset needs is read before the new headers overwrite any options
            final int local = ip.destination();
            final int peerPort = tcp.sourcePort();
            final int localPort = tcp.destinationPort();
            final long sequence;
            final long acknowledgment;
            final int replyFlags;
            if ((flags & TcpFlyweight.ACK) != 0)
            {
                sequence = tcp.acknowledgment();
                acknowledgment = 0;
                replyFlags = TcpFlyweight.RST;
            }
            else
            {
                // SEG.LEN: SYN and FIN each take a sequence number (RFC 9293 3.4)
                final int occupied = segmentLength - headerLength +
                    ((flags & TcpFlyweight.SYN) != 0 ? 1 : 0) + ((flags & TcpFlyweight.FIN) != 0 ? 1 : 0);
                sequence = 0;
                acknowledgment = tcp.sequence() + occupied;
                replyFlags = TcpFlyweight.RST | TcpFlyweight.ACK;
            }

            ip.versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
                .tos(0)
                .totalLength(REPLY_LENGTH)
                .identification(0)
                .flagsAndFragmentOffset(Ipv4Flyweight.DONT_FRAGMENT)
                .ttl(IcmpEchoNode.REPLY_TTL)
                .protocol(Ipv4Flyweight.PROTOCOL_TCP)
                .source(local)
                .destination(peer)
                .updateChecksum();
            final int replyL4 = l3 + Ipv4Flyweight.MIN_HEADER_LENGTH;
            tcp.wrap(frame, replyL4)
                .sourcePort(localPort)
                .destinationPort(peerPort)
                .sequence(sequence)
                .acknowledgment(acknowledgment)
                .headerLength(TcpFlyweight.MIN_HEADER_LENGTH)
                .flags(replyFlags)
                .window(0)
                .urgentPointer(0)
                .updateChecksum(ip.pseudoHeaderSum(TcpFlyweight.MIN_HEADER_LENGTH), TcpFlyweight.MIN_HEADER_LENGTH);

            ethernet.wrap(frame, 0);
            ethernet.destination(ethernet.source()).source(network.gatewayMac);
            batch.length[i] = l3 + REPLY_LENGTH;
            batch.l4Offset[i] = replyL4;
            batch.offload[i] = 0; // a complete frame: the segment's partial checksum or GSO no longer applies
            batch.outPort[i] = batch.inPort[i];
            count(context, Error.RESET_SENT.ordinal());
            next(batch, i, NEXT_OUTPUT);
        }
    }
}
