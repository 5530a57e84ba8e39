package dev.wharf.dns;

import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import dev.wharf.dataplane.punt.PuntMessage;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a reply as a whole Ethernet frame from the gateway to the client (the query's ends swapped): Ethernet, IPv4
 * (TTL 64, don't fragment, its checksum), then a UDP datagram or a TCP segment (its checksum over the pseudo-header).
 * One instance per thread that replies; it reuses one buffer.
 */
final class ReplyFrames
{
    static final int L4_OFFSET = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH;
    static final int HEADERS = L4_OFFSET + UdpFlyweight.HEADER_LENGTH;
    /** The largest DNS payload a reply frame holds. */
    static final int MAX_PAYLOAD = PuntMessage.MAX_FRAME - HEADERS;
    private static final int TTL = 64;

    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[PuntMessage.MAX_FRAME]);
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    /** TCP's MSS option on a SYN-ACK: kind 2, length 4, the value. */
    static final int MSS_OPTION_LENGTH = 4;
    private int identification;

    /** The frame buffer; valid until the next {@link #udp} call. */
    UnsafeBuffer buffer()
    {
        return frame;
    }

    /** @return the frame's length, the DNS payload {@code payload} placed after the headers. */
    int udp(final QueryOrigin origin, final byte[] payload, final int payloadLength)
    {
        if (payloadLength > MAX_PAYLOAD)
        {
            throw new IllegalArgumentException("reply of " + payloadLength + " bytes does not fit a frame");
        }
        final int udpLength = UdpFlyweight.HEADER_LENGTH + payloadLength;
        final int l4 = headers(origin, Ipv4Flyweight.PROTOCOL_UDP, udpLength);
        frame.putBytes(l4 + UdpFlyweight.HEADER_LENGTH, payload, 0, payloadLength);
        udp.wrap(frame, l4).sourcePort(DnsPuntNode.DNS_PORT).destinationPort(origin.clientPort()).length(udpLength).checksum(0);
        final int checksum = Checksums.finish(Checksums.sum(frame, l4, udpLength, ip.pseudoHeaderSum(udpLength)));
        udp.checksum(checksum == 0 ? 0xFFFF : checksum);
        return l4 + udpLength;
    }

    /**
     * A TCP segment from the gateway's port 53 to the client: {@code length} bytes of {@code data} from {@code offset},
     * with an MSS option when {@code mss > 0} (a SYN-ACK's).
     *
     * @return the frame's length.
     */
    int tcp(
        final QueryOrigin origin, final long sequence, final long acknowledgment, final int flags, final int window, final int mss,
        final byte[] data, final int offset, final int length)
    {
        final int optionLength = mss > 0 ? MSS_OPTION_LENGTH : 0;
        final int headerLength = TcpFlyweight.MIN_HEADER_LENGTH + optionLength;
        if (L4_OFFSET + headerLength + length > frame.capacity())
        {
            throw new IllegalArgumentException("segment of " + length + " bytes does not fit a frame");
        }
        final int segmentLength = headerLength + length;
        final int l4 = headers(origin, Ipv4Flyweight.PROTOCOL_TCP, segmentLength);
        tcp.wrap(frame, l4).sourcePort(DnsPuntNode.DNS_PORT).destinationPort(origin.clientPort()).sequence(sequence & 0xFFFF_FFFFL)
            .acknowledgment(acknowledgment & 0xFFFF_FFFFL).headerLength(headerLength).flags(flags).window(window);
        frame.putShort(l4 + TcpFlyweight.CHECKSUM_OFFSET, (short)0);
        frame.putShort(l4 + TcpFlyweight.URGENT_OFFSET, (short)0);
        if (mss > 0)
        {
            frame.putByte(l4 + TcpFlyweight.MIN_HEADER_LENGTH, (byte)2);
            frame.putByte(l4 + TcpFlyweight.MIN_HEADER_LENGTH + 1, (byte)MSS_OPTION_LENGTH);
            frame.putShort(l4 + TcpFlyweight.MIN_HEADER_LENGTH + 2, (short)mss, java.nio.ByteOrder.BIG_ENDIAN);
        }
        if (length > 0)
        {
            frame.putBytes(l4 + headerLength, data, offset, length);
        }
        final int checksum = Checksums.finish(Checksums.sum(frame, l4, segmentLength, ip.pseudoHeaderSum(segmentLength)));
        frame.putShort(l4 + TcpFlyweight.CHECKSUM_OFFSET, (short)checksum, java.nio.ByteOrder.BIG_ENDIAN);
        return l4 + segmentLength;
    }

    /** The offset of the L4 header: Ethernet and IPv4 written for an L4 part of {@code l4Length} bytes. */
    private int headers(final QueryOrigin origin, final int protocol, final int l4Length)
    {
        ethernet.wrap(frame, 0).destination(origin.clientMac()).source(origin.gatewayMac()).etherType(EthernetFlyweight.TYPE_IPV4);
        final int l3 = EthernetFlyweight.HEADER_LENGTH;
        ip.wrap(frame, l3).versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH).tos(0)
            .totalLength(Ipv4Flyweight.MIN_HEADER_LENGTH + l4Length).identification(identification++ & 0xFFFF)
            .flagsAndFragmentOffset(Ipv4Flyweight.DONT_FRAGMENT).ttl(TTL).protocol(protocol)
            .source(origin.gatewayIp()).destination(origin.clientIp()).updateChecksum();
        return L4_OFFSET;
    }
}
