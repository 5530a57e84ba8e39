package dev.wharf.dns;

import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import dev.wharf.dataplane.punt.PuntMessage;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Where a UDP query came from, read from its punted frame: the worker, port, network, VLAN and peer it arrived by,
 * and the addresses of both ends. A reply goes back the same way with the ends swapped. Immutable (it outlives the
 * punted message while the query waits for an upstream answer).
 */
record QueryOrigin(
    int worker, int port, int network, int vlan, int peer,
    long clientMac, long gatewayMac, int clientIp, int gatewayIp, int clientPort)
{
    /**
     * Reads the origin of the UDP datagram in the punted message at {@code message}; its payload starts at
     * {@link #payloadOffset} and is {@link #payloadLength} bytes long (0 or less when the datagram is malformed).
     */
    static QueryOrigin read(final int worker, final DirectBuffer buffer, final int message)
    {
        final int frame = message + PuntMessage.FRAME;
        final int l3 = frame + PuntMessage.l3Offset(buffer, message);
        final int l4 = frame + PuntMessage.l4Offset(buffer, message);
        return new QueryOrigin(worker, PuntMessage.port(buffer, message), PuntMessage.network(buffer, message),
            PuntMessage.vlan(buffer, message), PuntMessage.peer(buffer, message),
            mac(buffer, frame + EthernetFlyweight.SOURCE_OFFSET), mac(buffer, frame + EthernetFlyweight.DESTINATION_OFFSET),
            buffer.getInt(l3 + Ipv4Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN),
            buffer.getInt(l3 + Ipv4Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN),
            buffer.getShort(l4 + UdpFlyweight.SOURCE_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF);
    }

    /** The payload's offset in {@code buffer}. */
    static int payloadOffset(final DirectBuffer buffer, final int message)
    {
        return message + PuntMessage.FRAME + PuntMessage.l4Offset(buffer, message) + UdpFlyweight.HEADER_LENGTH;
    }

    /**
     * The payload's length: the UDP length field's, bounded by the IPv4 total length and the frame; negative when
     * the header is inconsistent (the datagram is dropped and counted).
     */
    static int payloadLength(final DirectBuffer buffer, final int message)
    {
        final int frameLength = PuntMessage.frameLength(buffer, message);
        final int l3Offset = PuntMessage.l3Offset(buffer, message);
        final int l4Offset = PuntMessage.l4Offset(buffer, message);
        final int frame = message + PuntMessage.FRAME;
        if (l4Offset + UdpFlyweight.HEADER_LENGTH > frameLength)
        {
            return -1;
        }
        final int udpLength = buffer.getShort(frame + l4Offset + UdpFlyweight.LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int ipEnd = l3Offset + (buffer.getShort(frame + l3Offset + Ipv4Flyweight.TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        if (udpLength < UdpFlyweight.HEADER_LENGTH || l4Offset + udpLength > Math.min(frameLength, ipEnd))
        {
            return -1;
        }
        return udpLength - UdpFlyweight.HEADER_LENGTH;
    }

    private static long mac(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFFL) << 32 | buffer.getInt(offset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
    }
}
