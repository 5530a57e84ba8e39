package dev.wharf.dataplane.trace;

import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import dev.wharf.dataplane.protocol.UdpFlyweight;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One line describing a frame's headers, for traces: Ethernet, 802.1Q, ARP, IPv4 and its ICMP, TCP
 * or UDP header. Slow path (it builds strings); it never reads past {@code length}.
 */
public final class PacketFormatter
{
    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final VlanTagFlyweight tag = new VlanTagFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final UdpFlyweight udp = new UdpFlyweight();

    public String format(final UnsafeBuffer frame, final int length)
    {
        final StringBuilder out = new StringBuilder(128);
        if (length < EthernetFlyweight.HEADER_LENGTH)
        {
            return out.append("runt frame of ").append(length).append(" bytes").toString();
        }
        ethernet.wrap(frame, 0);
        out.append(MacAddress.toString(ethernet.source())).append(" > ").append(MacAddress.toString(ethernet.destination()));
        int type = ethernet.etherType();
        int l3 = EthernetFlyweight.HEADER_LENGTH;
        if (type == EthernetFlyweight.TYPE_VLAN && length >= VlanTagFlyweight.TAGGED_HEADER_LENGTH)
        {
            tag.wrap(frame, 0);
            out.append(" vlan ").append(tag.vid());
            type = tag.innerEtherType();
            l3 = VlanTagFlyweight.TAGGED_HEADER_LENGTH;
        }
        out.append(String.format(" type 0x%04x len %d", type, length));
        if (type == EthernetFlyweight.TYPE_ARP && length >= l3 + ArpFlyweight.LENGTH)
        {
            arp.wrap(frame, l3);
            out.append(" | arp ").append(arp.operation() == ArpFlyweight.OP_REQUEST ? "request who-has " : "reply ")
                .append(ipv4(arp.targetIp())).append(" tell ").append(ipv4(arp.senderIp()))
                .append(" sender-mac ").append(MacAddress.toString(arp.senderMac()));
        }
        else if (type == EthernetFlyweight.TYPE_IPV4 && length >= l3 + Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            formatIpv4(frame, length, l3, out);
        }
        return out.toString();
    }

    private void formatIpv4(final UnsafeBuffer frame, final int length, final int l3, final StringBuilder out)
    {
        ip.wrap(frame, l3);
        out.append(" | ipv4 ").append(ipv4(ip.source())).append(" > ").append(ipv4(ip.destination()))
            .append(" ttl ").append(ip.ttl()).append(" proto ").append(ip.protocol())
            .append(String.format(" id 0x%04x csum 0x%04x", ip.identification(), ip.checksum()));
        final int l4 = l3 + ip.headerLength();
        if (ip.headerLength() < Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return;
        }
        if (ip.protocol() == Ipv4Flyweight.PROTOCOL_ICMP && length >= l4 + IcmpFlyweight.HEADER_LENGTH)
        {
            icmp.wrap(frame, l4);
            out.append(" | icmp type ").append(icmp.type()).append(" code ").append(icmp.code())
                .append(" id ").append(icmp.identifier()).append(" seq ").append(icmp.sequence())
                .append(String.format(" csum 0x%04x", icmp.checksum()));
        }
        else if (ip.protocol() == Ipv4Flyweight.PROTOCOL_TCP && length >= l4 + TcpFlyweight.MIN_HEADER_LENGTH)
        {
            tcp.wrap(frame, l4);
            out.append(" | tcp ").append(tcp.sourcePort()).append(" > ").append(tcp.destinationPort())
                .append(" flags ").append(tcpFlags(tcp.flags())).append(" seq ").append(tcp.sequence())
                .append(String.format(" csum 0x%04x", tcp.checksum()));
        }
        else if (ip.protocol() == Ipv4Flyweight.PROTOCOL_UDP && length >= l4 + UdpFlyweight.HEADER_LENGTH)
        {
            udp.wrap(frame, l4);
            out.append(" | udp ").append(udp.sourcePort()).append(" > ").append(udp.destinationPort())
                .append(" len ").append(udp.length()).append(String.format(" csum 0x%04x", udp.checksum()));
        }
    }

    private static String tcpFlags(final int flags)
    {
        final StringBuilder s = new StringBuilder();
        if ((flags & TcpFlyweight.SYN) != 0)
        {
            s.append('S');
        }
        if ((flags & TcpFlyweight.FIN) != 0)
        {
            s.append('F');
        }
        if ((flags & TcpFlyweight.RST) != 0)
        {
            s.append('R');
        }
        if ((flags & TcpFlyweight.PSH) != 0)
        {
            s.append('P');
        }
        if ((flags & TcpFlyweight.ACK) != 0)
        {
            s.append('.');
        }
        return s.length() == 0 ? "none" : s.toString();
    }

    private static String ipv4(final int address)
    {
        return dev.wharf.dataplane.protocol.Ipv4Address.toString(address);
    }
}
