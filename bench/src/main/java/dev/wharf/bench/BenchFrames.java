package dev.wharf.bench;

import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Builds the frames the benchmarks feed the pipeline, once, in their trial setup: UDP datagrams
 * (optionally 802.1Q-tagged), ARP requests and ICMP echo requests, written through the dataplane's
 * own flyweights into off-heap memory. Never called inside a measured method.
 */
final class BenchFrames
{
    /** The VLAN tagged frames belong to. */
    static final int VLAN_ID = 100;
    static final int UDP_PORT = 4_000;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final int IPV4_HEADER = Ipv4Flyweight.MIN_HEADER_LENGTH;

    private BenchFrames()
    {
    }

    /** A random locally administered unicast MAC, never zero. */
    static long unicastMac(final Random random)
    {
        return (random.nextLong() & 0xFCFF_FFFF_FFFFL) | 0x0200_0000_0000L;
    }

    /** {@code count} distinct unicast MACs. */
    static long[] distinctMacs(final Random random, final int count)
    {
        final Set<Long> seen = new HashSet<>();
        final long[] macs = new long[count];
        int n = 0;
        while (n < count)
        {
            final long mac = unicastMac(random);
            if (seen.add(mac))
            {
                macs[n++] = mac;
            }
        }
        return macs;
    }

    /** A random permutation of {@code 0..count-1}. */
    static int[] permutation(final Random random, final int count)
    {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * An Ethernet/IPv4/UDP frame of exactly {@code frameLength} bytes (without FCS), tagged with
     * {@code vlan} when it is not negative.
     */
    static void udp(
        final MutableDirectBuffer buffer, final int offset, final int frameLength,
        final long destination, final long source, final int vlan, final int sourceIp, final int destinationIp)
    {
        new EthernetFlyweight().wrap(buffer, offset).destination(destination).source(source);
        int l3 = offset + EthernetFlyweight.HEADER_LENGTH;
        if (vlan >= 0)
        {
            buffer.putShort(offset + VlanTagFlyweight.TPID_OFFSET, (short)EthernetFlyweight.TYPE_VLAN, NETWORK);
            buffer.putShort(offset + VlanTagFlyweight.TCI_OFFSET, (short)vlan, NETWORK);
            buffer.putShort(offset + VlanTagFlyweight.INNER_TYPE_OFFSET, (short)EthernetFlyweight.TYPE_IPV4, NETWORK);
            l3 += VlanTagFlyweight.TAG_LENGTH;
        }
        else
        {
            buffer.putShort(offset + EthernetFlyweight.ETHER_TYPE_OFFSET, (short)EthernetFlyweight.TYPE_IPV4, NETWORK);
        }
        final int ipLength = frameLength - (l3 - offset);
        final int l4 = l3 + IPV4_HEADER;
        buffer.setMemory(l3, ipLength, (byte)0);
        ipv4(buffer, l3, ipLength, Ipv4Flyweight.PROTOCOL_UDP, sourceIp, destinationIp);
        new UdpFlyweight().wrap(buffer, l4).sourcePort(UDP_PORT).destinationPort(UDP_PORT).length(ipLength - IPV4_HEADER);
        for (int i = l4 + UdpFlyweight.HEADER_LENGTH; i < offset + frameLength; i++)
        {
            buffer.putByte(i, (byte)i);
        }
    }

    /** A broadcast ARP request (RFC 826) from {@code senderMac}/{@code senderIp} for {@code targetIp}: 42 bytes. */
    static int arpRequest(
        final MutableDirectBuffer buffer, final int offset, final long senderMac, final int senderIp, final int targetIp)
    {
        new EthernetFlyweight().wrap(buffer, offset)
            .destination(MacAddress.BROADCAST)
            .source(senderMac)
            .etherType(EthernetFlyweight.TYPE_ARP);
        final int l3 = offset + EthernetFlyweight.HEADER_LENGTH;
        buffer.putShort(l3 + ArpFlyweight.HARDWARE_TYPE_OFFSET, (short)ArpFlyweight.HARDWARE_ETHERNET, NETWORK);
        buffer.putShort(l3 + ArpFlyweight.PROTOCOL_TYPE_OFFSET, (short)EthernetFlyweight.TYPE_IPV4, NETWORK);
        buffer.putByte(l3 + ArpFlyweight.HARDWARE_LENGTH_OFFSET, (byte)6);
        buffer.putByte(l3 + ArpFlyweight.PROTOCOL_LENGTH_OFFSET, (byte)4);
        new ArpFlyweight().wrap(buffer, l3)
            .operation(ArpFlyweight.OP_REQUEST)
            .senderMac(senderMac)
            .senderIp(senderIp)
            .targetMac(0)
            .targetIp(targetIp);
        return EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
    }

    /**
     * An ICMP echo request (RFC 792) with {@code dataLength} bytes of data and valid checksums.
     *
     * @return the frame length.
     */
    static int icmpEchoRequest(
        final MutableDirectBuffer buffer, final int offset, final long destination, final long source,
        final int sourceIp, final int destinationIp, final int sequence, final int dataLength)
    {
        new EthernetFlyweight().wrap(buffer, offset)
            .destination(destination)
            .source(source)
            .etherType(EthernetFlyweight.TYPE_IPV4);
        final int l3 = offset + EthernetFlyweight.HEADER_LENGTH;
        final int l4 = l3 + IPV4_HEADER;
        final int icmpLength = IcmpFlyweight.HEADER_LENGTH + dataLength;
        buffer.setMemory(l3, IPV4_HEADER + icmpLength, (byte)0);
        ipv4(buffer, l3, IPV4_HEADER + icmpLength, Ipv4Flyweight.PROTOCOL_ICMP, sourceIp, destinationIp);
        buffer.putShort(l4 + IcmpFlyweight.IDENTIFIER_OFFSET, (short)0x7761, NETWORK);
        buffer.putShort(l4 + IcmpFlyweight.SEQUENCE_OFFSET, (short)sequence, NETWORK);
        for (int i = 0; i < dataLength; i++)
        {
            buffer.putByte(l4 + IcmpFlyweight.HEADER_LENGTH + i, (byte)(0x10 + i));
        }
        new IcmpFlyweight().wrap(buffer, l4).type(IcmpFlyweight.TYPE_ECHO_REQUEST).code(0).updateChecksum(icmpLength);
        return EthernetFlyweight.HEADER_LENGTH + IPV4_HEADER + icmpLength;
    }

    /** A 20-byte IPv4 header with a valid checksum. */
    static void ipv4(
        final MutableDirectBuffer buffer, final int l3, final int totalLength, final int protocol,
        final int sourceIp, final int destinationIp)
    {
        buffer.putByte(l3 + Ipv4Flyweight.VERSION_IHL_OFFSET, (byte)0x45);
        buffer.putByte(l3 + Ipv4Flyweight.PROTOCOL_OFFSET, (byte)protocol);
        new Ipv4Flyweight().wrap(buffer, l3)
            .totalLength(totalLength)
            .identification(0x1234)
            .ttl(64)
            .source(sourceIp)
            .destination(destinationIp)
            .updateChecksum();
    }
}
