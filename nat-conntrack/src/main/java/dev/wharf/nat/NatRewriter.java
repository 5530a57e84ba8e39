package dev.wharf.nat;

import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Rewrites an IPv4 packet's address and port in place with RFC 1624 incremental checksum updates:
 * the IPv4 header checksum, the TCP or UDP checksum (whose pseudo-header covers the addresses), or,
 * for ICMP echo, the ICMP checksum when the identifier (our "port") changes (ICMP has no
 * pseudo-header). A UDP checksum of 0 means "none" and stays 0; a computed 0 is sent as 0xFFFF.
 *
 * <p>Partial checksums (virtio-net {@code NEEDS_CSUM}): the L4 checksum field then holds the pseudo-
 * header sum, not complemented, and the NIC or kernel sums the rest of the segment later. Only the
 * addresses are in that partial sum, so only an address change touches it, as
 * {@code P' = ~update(~P)}; a port change is in the data summed later and must not touch it.
 *
 * <p>Stateless, static, allocation-free: any thread.
 */
public final class NatRewriter
{
    private static final int PORT_SOURCE = 0;
    private static final int PORT_DESTINATION = 2;

    private NatRewriter()
    {
    }

    /** Offset of the L4 checksum field from the L4 header for {@code protocol}, or -1 when it has none we update. */
    static int l4ChecksumOffset(final int protocol)
    {
        switch (protocol)
        {
            case Ipv4Flyweight.PROTOCOL_TCP:
                return TcpFlyweight.CHECKSUM_OFFSET;
            case Ipv4Flyweight.PROTOCOL_UDP:
                return UdpFlyweight.CHECKSUM_OFFSET;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                return IcmpFlyweight.CHECKSUM_OFFSET;
            default:
                return -1;
        }
    }

    /** Rewrites the source address and port (ICMP echo: identifier). */
    public static void source(
        final MutableDirectBuffer frame, final int l3, final int l4, final long offload, final int newAddress, final int newPort)
    {
        rewrite(frame, l3, l4, offload, Ipv4Flyweight.SOURCE_OFFSET, PORT_SOURCE, newAddress, newPort);
    }

    /** Rewrites the destination address and port (ICMP echo: identifier). */
    public static void destination(
        final MutableDirectBuffer frame, final int l3, final int l4, final long offload, final int newAddress, final int newPort)
    {
        rewrite(frame, l3, l4, offload, Ipv4Flyweight.DESTINATION_OFFSET, PORT_DESTINATION, newAddress, newPort);
    }

    private static void rewrite(
        final MutableDirectBuffer frame, final int l3, final int l4, final long offload,
        final int addressOffset, final int portOffset, final int newAddress, final int newPort)
    {
        final int protocol = frame.getByte(l3 + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF;
        final int oldAddress = frame.getInt(l3 + addressOffset, BIG_ENDIAN);
        if (oldAddress != newAddress)
        {
            frame.putInt(l3 + addressOffset, newAddress, BIG_ENDIAN);
            final int ipChecksum = frame.getShort(l3 + Ipv4Flyweight.CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
            frame.putShort(l3 + Ipv4Flyweight.CHECKSUM_OFFSET,
                (short)Checksums.update32(ipChecksum, oldAddress, newAddress), BIG_ENDIAN);
        }
        switch (protocol)
        {
            case Ipv4Flyweight.PROTOCOL_TCP:
            case Ipv4Flyweight.PROTOCOL_UDP:
                transport(frame, l4, offload, protocol, portOffset, oldAddress, newAddress, newPort);
                break;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                echoIdentifier(frame, l4, newPort);
                break;
            default:
                break;
        }
    }

    private static void transport(
        final MutableDirectBuffer frame, final int l4, final long offload, final int protocol, final int portOffset,
        final int oldAddress, final int newAddress, final int newPort)
    {
        final int checksumAt = l4 + (protocol == Ipv4Flyweight.PROTOCOL_TCP ? TcpFlyweight.CHECKSUM_OFFSET : UdpFlyweight.CHECKSUM_OFFSET);
        final int oldPort = frame.getShort(l4 + portOffset, BIG_ENDIAN) & 0xFFFF;
        final int checksum = frame.getShort(checksumAt, BIG_ENDIAN) & 0xFFFF;
        if (OffloadInfo.needsChecksum(offload))
        {
            if (oldAddress != newAddress)
            {
                final int partial = ~Checksums.update32(~checksum & 0xFFFF, oldAddress, newAddress) & 0xFFFF;
                frame.putShort(checksumAt, (short)partial, BIG_ENDIAN);
            }
            if (oldPort != newPort)
            {
                frame.putShort(l4 + portOffset, (short)newPort, BIG_ENDIAN);
            }
            return;
        }
        if (oldPort != newPort)
        {
            frame.putShort(l4 + portOffset, (short)newPort, BIG_ENDIAN);
        }
        if (protocol == Ipv4Flyweight.PROTOCOL_UDP && checksum == 0)
        {
            return; // no checksum
        }
        int updated = checksum;
        if (oldAddress != newAddress)
        {
            updated = Checksums.update32(updated, oldAddress, newAddress);
        }
        if (oldPort != newPort)
        {
            updated = Checksums.update16(updated, oldPort, newPort);
        }
        if (updated == 0 && protocol == Ipv4Flyweight.PROTOCOL_UDP)
        {
            updated = 0xFFFF;
        }
        frame.putShort(checksumAt, (short)updated, BIG_ENDIAN);
    }

    /** ICMP echo: the identifier stands for both ports. Other ICMP messages carry no port. */
    private static void echoIdentifier(final MutableDirectBuffer frame, final int l4, final int newIdentifier)
    {
        final int type = frame.getByte(l4) & 0xFF;
        if (type != IcmpFlyweight.TYPE_ECHO_REQUEST && type != IcmpFlyweight.TYPE_ECHO_REPLY)
        {
            return;
        }
        final int at = l4 + IcmpFlyweight.IDENTIFIER_OFFSET;
        final int old = frame.getShort(at, BIG_ENDIAN) & 0xFFFF;
        if (old != newIdentifier)
        {
            frame.putShort(at, (short)newIdentifier, BIG_ENDIAN);
            final int checksum = frame.getShort(l4 + IcmpFlyweight.CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
            frame.putShort(l4 + IcmpFlyweight.CHECKSUM_OFFSET, (short)Checksums.update16(checksum, old, newIdentifier), BIG_ENDIAN);
        }
    }

    /**
     * Rewrites an address and port of a packet quoted inside an ICMP error (RFC 792: its IP header
     * and at least 8 bytes of its L4 header): the quoted IP checksum, and the quoted L4 checksum when
     * it lies within the quote. The outer ICMP checksum is the caller's to recompute.
     *
     * @param inner    offset of the quoted IP header.
     * @param end      offset just past the quote (the end of the ICMP message).
     * @param source   true to rewrite the quoted source, false its destination.
     */
    static void quoted(
        final MutableDirectBuffer frame, final int inner, final int end, final boolean source, final int newAddress, final int newPort)
    {
        final int protocol = frame.getByte(inner + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF;
        final int innerL4 = inner + ((frame.getByte(inner) & 0xF) << 2);
        final int addressAt = inner + (source ? Ipv4Flyweight.SOURCE_OFFSET : Ipv4Flyweight.DESTINATION_OFFSET);
        final int oldAddress = frame.getInt(addressAt, BIG_ENDIAN);
        if (oldAddress != newAddress)
        {
            frame.putInt(addressAt, newAddress, BIG_ENDIAN);
            final int ipChecksum = frame.getShort(inner + Ipv4Flyweight.CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
            frame.putShort(inner + Ipv4Flyweight.CHECKSUM_OFFSET, (short)Checksums.update32(ipChecksum, oldAddress, newAddress), BIG_ENDIAN);
        }
        if (protocol == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            if (innerL4 + IcmpFlyweight.HEADER_LENGTH <= end)
            {
                echoIdentifier(frame, innerL4, newPort);
            }
            return;
        }
        if (protocol != Ipv4Flyweight.PROTOCOL_TCP && protocol != Ipv4Flyweight.PROTOCOL_UDP)
        {
            return;
        }
        final int portAt = innerL4 + (source ? PORT_SOURCE : PORT_DESTINATION);
        final int oldPort = frame.getShort(portAt, BIG_ENDIAN) & 0xFFFF;
        frame.putShort(portAt, (short)newPort, BIG_ENDIAN);
        final int checksumAt = innerL4 + l4ChecksumOffset(protocol);
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
