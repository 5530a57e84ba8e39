package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The datagram an ICMP error quotes (RFC 792: its IP header and at least 8 bytes of what follows),
 * rewritten in place: an address and port (an ICMP echo's identifier stands for both ports) with
 * RFC 1624 updates of the quoted IP checksum and of the quoted L4 checksum when the quote reaches
 * it (a UDP checksum of 0 stays 0; a computed 0 is sent as 0xFFFF). The ICMP checksum around the
 * quote is the caller's to recompute. Used to translate a quote back to what its sender sent: by NAT
 * for an error about a translated flow, by icmp-error for a packet whose destination NAT changed.
 *
 * <p>Stateless, static, allocation-free: any thread.
 */
public final class QuotedDatagram
{
    private QuotedDatagram()
    {
    }

    /**
     * @param inner  offset of the quoted IP header.
     * @param end    offset just past the quote (the end of the ICMP message).
     * @param source true to rewrite the quoted source, false its destination.
     */
    public static void rewrite(
        final MutableDirectBuffer frame, final int inner, final int end, final boolean source, final int newAddress, final int newPort)
    {
        final int protocol = frame.getByte(inner + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF;
        final int innerL4 = inner + ((frame.getByte(inner) & 0xF) << 2);
        final int addressOffset = source ? Ipv4Flyweight.SOURCE_OFFSET : Ipv4Flyweight.DESTINATION_OFFSET;
        final int oldAddress = frame.getInt(inner + addressOffset, BIG_ENDIAN);
        Ipv4Flyweight.rewriteAddress(frame, inner, addressOffset, newAddress);
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            if (innerL4 + IcmpFlyweight.HEADER_LENGTH <= end)
            {
                IcmpFlyweight.rewriteEchoIdentifier(frame, innerL4, newPort);
            }
            return;
        }
        if (protocol != Ipv4Flyweight.PROTOCOL_TCP && protocol != Ipv4Flyweight.PROTOCOL_UDP || innerL4 + 4 > end)
        {
            return;
        }
        final int portAt = innerL4 + (source ? 0 : 2);
        final int oldPort = frame.getShort(portAt, BIG_ENDIAN) & 0xFFFF;
        frame.putShort(portAt, (short)newPort, BIG_ENDIAN);
        final int checksumAt = innerL4 + (protocol == Ipv4Flyweight.PROTOCOL_TCP ? TcpFlyweight.CHECKSUM_OFFSET : UdpFlyweight.CHECKSUM_OFFSET);
        if (checksumAt + 2 > end)
        {
            return; // the quote stops before the L4 checksum (8 bytes of TCP)
        }
        final int checksum = frame.getShort(checksumAt, BIG_ENDIAN) & 0xFFFF;
        if (protocol == Ipv4Flyweight.PROTOCOL_UDP && checksum == 0)
        {
            return;
        }
        int updated = Checksums.update16(Checksums.update32(checksum, oldAddress, newAddress), oldPort, newPort);
        if (updated == 0 && protocol == Ipv4Flyweight.PROTOCOL_UDP)
        {
            updated = 0xFFFF;
        }
        frame.putShort(checksumAt, (short)updated, BIG_ENDIAN);
    }
}
