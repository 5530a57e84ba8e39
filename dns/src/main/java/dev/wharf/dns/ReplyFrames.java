package dev.wharf.dns;

import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import dev.wharf.dataplane.punt.PuntMessage;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a reply datagram as a whole Ethernet frame from the gateway to the client (the query's ends swapped):
 * Ethernet, IPv4 (TTL 64, don't fragment, its checksum), UDP (its checksum over the pseudo-header). One instance per
 * thread that replies; it reuses one buffer.
 */
final class ReplyFrames
{
    static final int HEADERS = EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH + UdpFlyweight.HEADER_LENGTH;
    /** The largest DNS payload a reply frame holds. */
    static final int MAX_PAYLOAD = PuntMessage.MAX_FRAME - HEADERS;
    private static final int TTL = 64;

    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[PuntMessage.MAX_FRAME]);
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
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
        ethernet.wrap(frame, 0).destination(origin.clientMac()).source(origin.gatewayMac()).etherType(EthernetFlyweight.TYPE_IPV4);
        final int l3 = EthernetFlyweight.HEADER_LENGTH;
        final int l4 = l3 + Ipv4Flyweight.MIN_HEADER_LENGTH;
        final int udpLength = UdpFlyweight.HEADER_LENGTH + payloadLength;
        ip.wrap(frame, l3).versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH).tos(0)
            .totalLength(Ipv4Flyweight.MIN_HEADER_LENGTH + udpLength).identification(identification++ & 0xFFFF)
            .flagsAndFragmentOffset(Ipv4Flyweight.DONT_FRAGMENT).ttl(TTL).protocol(Ipv4Flyweight.PROTOCOL_UDP)
            .source(origin.gatewayIp()).destination(origin.clientIp()).updateChecksum();
        frame.putBytes(l4 + UdpFlyweight.HEADER_LENGTH, payload, 0, payloadLength);
        udp.wrap(frame, l4).sourcePort(DnsPuntNode.DNS_PORT).destinationPort(origin.clientPort()).length(udpLength).checksum(0);
        final int checksum = Checksums.finish(Checksums.sum(frame, l4, udpLength, ip.pseudoHeaderSum(udpLength)));
        udp.checksum(checksum == 0 ? 0xFFFF : checksum);
        return l4 + udpLength;
    }
}
