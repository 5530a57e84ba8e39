package dev.wharf.dataplane.l3;

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
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.protocol.QuotedDatagram;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * icmp-error: turns the offending packet, in place, into the ICMP error about it (RFC 792) and sends
 * it back out of the port it came in on. Nodes that refuse a packet with an error (ip4-lookup: no
 * route, TTL expired; ip4-local: port unreachable; ip4-rewrite: fragmentation needed) set
 * {@link PacketBatch#icmpError} with {@link #encode} and send the packet here.
 *
 * <p>The error quotes the offending IP header and as much of its payload as keeps the ICMP datagram
 * within 576 bytes (RFC 1812 4.3.2.3). The quoted bytes stay where they are: the new Ethernet, IPv4
 * and ICMP headers (42 bytes) are written in front of them, in the headroom when there is room
 * (there is: ports keep {@link dev.wharf.dataplane.buffer.BufferPool#DEFAULT_HEADROOM}), otherwise the
 * quoted bytes are moved back by an overlapping copy (at most 548 bytes; every receive slot is
 * larger than the 590-byte result). The error comes from the ingress network's gateway address (the
 * uplink's address for the uplink) and from the gateway MAC the packet was sent to. A packet whose
 * destination a feature rewrote before routing ({@link PacketBatch#FLAG_DESTINATION_REWRITTEN}: NAT's
 * published port, the reply of a masqueraded flow) is quoted with the destination it arrived with, as
 * Linux's NAT translates such errors back: its sender matches the quote against what it sent.
 *
 * <p>RFC 1812 4.3.2.7: no error about an ICMP error, a non-first fragment, a link- or IP-level
 * broadcast or multicast, or a packet whose source does not name one host. Errors are rate-limited
 * by a token bucket per worker ({@link #RATE_PER_SECOND_DEFAULT}, burst {@link #BURST_DEFAULT}), as
 * Linux's icmp_ratelimit does, so a flood of bad packets cannot turn the switch into an amplifier.
 * A suppressed error drops the packet under its reason.
 *
 * <p>One instance per worker graph; the bucket and the IP identification counter are that worker's.
 */
public final class IcmpErrorNode extends Node
{
    public static final String NAME = CoreNodes.ICMP_ERROR;
    public static final int RATE_PER_SECOND_DEFAULT = 1_000;
    public static final int BURST_DEFAULT = 50;
    /** An error's IPv4 datagram stays within the 576 bytes every host must accept: 20 + 8 + 548. */
    public static final int MAX_QUOTED = 576 - Ipv4Flyweight.MIN_HEADER_LENGTH - IcmpFlyweight.HEADER_LENGTH;
    public static final int ERROR_TTL = 64;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** "Communication administratively prohibited" (RFC 1812 5.2.7.1): a filter refused the packet. */
    public static final int CODE_ADMIN_PROHIBITED = 13;
    public static final int CODE_TTL_EXCEEDED_IN_TRANSIT = 0;

    private static final int NEXT_OUTPUT = 0;
    private static final int HEADERS = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH + IcmpFlyweight.HEADER_LENGTH;
    /** Precedence "internetwork control", as routers mark the messages they originate (RFC 1812 4.3.2.5). */
    private static final int TOS_INTERNETWORK_CONTROL = 0xC0;
    private static final long MILLI_TOKENS_PER_TOKEN = 1_000;

    public enum Error
    {
        SENT,
        ABOUT_ICMP_ERROR,
        NON_FIRST_FRAGMENT,
        TO_BROADCAST_OR_MULTICAST,
        BAD_SOURCE,
        RATE_LIMITED,
        NO_NETWORK
    }

    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final long ratePerSecond;
    private final long burstMilliTokens;
    private long milliTokens;
    private long refilledMs = Long.MIN_VALUE;
    private int identification;

    public IcmpErrorNode()
    {
        this(RATE_PER_SECOND_DEFAULT, BURST_DEFAULT);
    }

    /** @param ratePerSecond errors sent per second in the long run; {@code burst} at once after a quiet spell. */
    public IcmpErrorNode(final int ratePerSecond, final int burst)
    {
        super(NAME, new String[]{FeatureArc.L2_OUTPUT}, names(Error.values()), names(Error.SENT));
        if (ratePerSecond < 1 || burst < 1)
        {
            throw new IllegalArgumentException("ICMP error rate and burst must be positive");
        }
        this.ratePerSecond = ratePerSecond;
        this.burstMilliTokens = burst * MILLI_TOKENS_PER_TOKEN;
        this.milliTokens = burstMilliTokens;
    }

    /** The value of {@link PacketBatch#icmpError} that asks for an error of {@code type} and {@code code}. */
    public static int encode(final int type, final int code)
    {
        return ((type & 0xFF) << 8) | (code & 0xFF);
    }

    /** The same for "fragmentation needed", which carries the next-hop MTU (RFC 1191). */
    public static int encode(final int type, final int code, final int nextHopMtu)
    {
        return ((nextHopMtu & 0xFFFF) << 16) | encode(type, code);
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final NetworkState network = context.snapshot.network(batch.network[i]);
            if (network == null)
            {
                drop(batch, i, Error.NO_NETWORK.ordinal());
                continue;
            }
            final int suppressed = suppression(batch, i, network);
            if (suppressed >= 0)
            {
                drop(batch, i, suppressed);
                continue;
            }
            if (!takeToken(context.nowMs))
            {
                drop(batch, i, Error.RATE_LIMITED.ordinal());
                continue;
            }
            build(batch, i, network);
            count(context, Error.SENT.ordinal());
            next(batch, i, NEXT_OUTPUT);
        }
    }

    /** @return the error ordinal the packet must not be answered for, or -1 when an error may be sent. */
    private int suppression(final PacketBatch batch, final int i, final NetworkState network)
    {
        if ((batch.flags[i] & (PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_MULTICAST)) != 0)
        {
            return Error.TO_BROADCAST_OR_MULTICAST.ordinal();
        }
        final int l3 = batch.l3Offset[i];
        ip.wrap(batch.frame(i), l3);
        final int destination = ip.destination();
        if (isMulticastOrBroadcast(destination) || isSubnetBroadcast(network, destination))
        {
            return Error.TO_BROADCAST_OR_MULTICAST.ordinal();
        }
        final int source = ip.source();
        if (!isUnicastHost(source) || isSubnetBroadcast(network, source))
        {
            return Error.BAD_SOURCE.ordinal();
        }
        if (ip.fragmentOffset() != 0)
        {
            return Error.NON_FIRST_FRAGMENT.ordinal();
        }
        if (ip.protocol() == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            final int l4 = l3 + ip.headerLength();
            // an ICMP packet too short to show its type is not answered either: it might be an error
            if (l4 >= batch.length[i] || l4 >= l3 + ip.totalLength() ||
                IcmpFlyweight.isErrorType(batch.frame(i).getByte(l4) & 0xFF))
            {
                return Error.ABOUT_ICMP_ERROR.ordinal();
            }
        }
        return -1;
    }

    /** One token per error; the bucket refills at {@link #ratePerSecond}, counted in thousandths of a token. */
    private boolean takeToken(final long nowMs)
    {
        if (refilledMs == Long.MIN_VALUE)
        {
            refilledMs = nowMs;
        }
        final long elapsedMs = nowMs - refilledMs;
        if (elapsedMs > 0)
        {
            milliTokens = Math.min(burstMilliTokens, milliTokens + Math.min(elapsedMs, burstMilliTokens) * ratePerSecond);
            refilledMs = nowMs;
        }
        if (milliTokens < MILLI_TOKENS_PER_TOKEN)
        {
            return false;
        }
        milliTokens -= MILLI_TOKENS_PER_TOKEN;
        return true;
    }

    private void build(final PacketBatch batch, final int i, final NetworkState network)
    {
        final int request = batch.icmpError[i];
        final int l3 = batch.l3Offset[i];
        UnsafeBuffer frame = batch.frame(i);
        ip.wrap(frame, l3);
        final int offender = ip.source();
        final int quoted = Math.min(MAX_QUOTED, Math.min(ip.totalLength(), batch.length[i] - l3));
        final long offenderMac = MacAddress.read(frame, EthernetFlyweight.SOURCE_OFFSET);

        final int shift = l3 - HEADERS; // the quoted datagram must start right after the three new headers
        if (batch.headroom[i] >= -shift)
        {
            batch.adjustStart(i, shift);
        }
        else
        {
            UnsafeApi.copyMemory(batch.address[i] + l3, batch.address[i] + HEADERS, quoted);
        }
        batch.length[i] = HEADERS + quoted;
        frame = batch.frame(i);

        ethernet.wrap(frame, 0);
        ethernet.destination(offenderMac).source(network.gatewayMac).etherType(EthernetFlyweight.TYPE_IPV4);

        final int icmpLength = IcmpFlyweight.HEADER_LENGTH + quoted;
        ip.wrap(frame, EthernetFlyweight.HEADER_LENGTH);
        ip.versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
            .tos(TOS_INTERNETWORK_CONTROL)
            .totalLength(Ipv4Flyweight.MIN_HEADER_LENGTH + icmpLength)
            .identification(identification++ & 0xFFFF)
            .flagsAndFragmentOffset(0)
            .ttl(ERROR_TTL)
            .protocol(Ipv4Flyweight.PROTOCOL_ICMP)
            .source(network.gatewayIp)
            .destination(offender)
            .updateChecksum();

        if ((batch.flags[i] & PacketBatch.FLAG_DESTINATION_REWRITTEN) != 0)
        {
            // quote the packet as its sender sent it, or the sender cannot match the error to its socket
            final long arrived = batch.arrivedDestination[i];
            QuotedDatagram.rewrite(frame, HEADERS, HEADERS + quoted, false, (int)(arrived >>> 16), (int)arrived & 0xFFFF);
        }
        icmp.wrap(frame, EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH);
        icmp.type((request >>> 8) & 0xFF).code(request & 0xFF).restOfHeader(request >>> 16).updateChecksum(icmpLength);

        batch.l3Offset[i] = EthernetFlyweight.HEADER_LENGTH;
        batch.l4Offset[i] = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH;
        batch.offload[i] = 0; // a new, complete frame: the offender's partial checksum or GSO no longer applies
        batch.outPort[i] = batch.inPort[i];
    }

    /** 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved) and 255.255.255.255. */
    static boolean isMulticastOrBroadcast(final int address)
    {
        return (address >>> 28) >= 0xE;
    }

    /** A source that names one host: not 0.0.0.0/8, 127.0.0.0/8, multicast, reserved or broadcast. */
    public static boolean isUnicastHost(final int address)
    {
        final int first = address >>> 24;
        return first != 0 && first != 127 && !isMulticastOrBroadcast(address);
    }

    /** The network's directed broadcast (all host bits set), when the prefix leaves host bits to speak of. */
    public static boolean isSubnetBroadcast(final NetworkState network, final int address)
    {
        if (network.prefixLength >= 31)
        {
            return false; // RFC 3021: a /31 has no broadcast address
        }
        final int hostMask = -1 >>> network.prefixLength;
        return network.contains(address) && (address & hostMask) == hostMask;
    }
}
