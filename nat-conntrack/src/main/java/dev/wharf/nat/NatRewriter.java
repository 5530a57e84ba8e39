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
        // the address's part of the update, summed once for the header checksum and the pseudo-header's
        final int addressChange = Ipv4Flyweight.rewriteAddress(frame, l3, addressOffset, newAddress);
        switch (protocol)
        {
            case Ipv4Flyweight.PROTOCOL_TCP:
            case Ipv4Flyweight.PROTOCOL_UDP:
                transport(frame, l4, offload, protocol, portOffset, addressChange, newPort);
                break;
            case Ipv4Flyweight.PROTOCOL_ICMP:
                IcmpFlyweight.rewriteEchoIdentifier(frame, l4, newPort);
                break;
            default:
                break;
        }
    }

    /**
     * @param addressChange {@link Checksums#change32} of the address, 0 when it stayed (applying 0
     *                      leaves any checksum as it is, so 0 needs no write).
     */
    private static void transport(
        final MutableDirectBuffer frame, final int l4, final long offload, final int protocol, final int portOffset,
        final int addressChange, final int newPort)
    {
        final int checksumAt = l4 + (protocol == Ipv4Flyweight.PROTOCOL_TCP ? TcpFlyweight.CHECKSUM_OFFSET : UdpFlyweight.CHECKSUM_OFFSET);
        final int oldPort = frame.getShort(l4 + portOffset, BIG_ENDIAN) & 0xFFFF;
        final int checksum = frame.getShort(checksumAt, BIG_ENDIAN) & 0xFFFF;
        if (oldPort != newPort)
        {
            frame.putShort(l4 + portOffset, (short)newPort, BIG_ENDIAN);
        }
        if (OffloadInfo.needsChecksum(offload))
        {
            // the partial sum covers the pseudo-header only: the port is in the data summed later
            if (addressChange != 0)
            {
                frame.putShort(checksumAt, (short)(~Checksums.apply(~checksum & 0xFFFF, addressChange) & 0xFFFF), BIG_ENDIAN);
            }
            return;
        }
        if (protocol == Ipv4Flyweight.PROTOCOL_UDP && checksum == 0)
        {
            return; // no checksum
        }
        final int change = addressChange + (oldPort == newPort ? 0 : Checksums.change16(oldPort, newPort));
        if (change == 0)
        {
            return;
        }
        // one fold for address and port: the same field value as two updates (RFC 1624 sums are associative)
        final int updated = Checksums.apply(checksum, change);
        frame.putShort(checksumAt, (short)(updated == 0 && protocol == Ipv4Flyweight.PROTOCOL_UDP ? 0xFFFF : updated), BIG_ENDIAN);
    }
}
