package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.ArpFlyweight;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import org.agrona.UnsafeApi;

/**
 * port-security: between ethernet-input and l2-learn, only for frames of a secured port (ethernet-input sends the
 * others straight to l2-learn, so an unsecured port pays one test of {@link PortBinding#secured}). A secured port is
 * bound to one MAC and one IPv4 address (OVS/OpenStack's port_security, VPP's l2 input MAC/IP binding) and may send:
 * <ul>
 *   <li>Ethernet frames from its own MAC only ({@code mac-spoof});</li>
 *   <li>ARP whose sender MAC is its MAC and whose sender IP is its IP, or 0.0.0.0 (an RFC 5227 probe, which claims
 *   nothing) ({@code arp-spoof}): a spoofed reply or a gratuitous ARP claiming the gateway or a neighbour drops;</li>
 *   <li>IPv4 from its own address only ({@code ip-spoof}); 0.0.0.0 too is dropped, since Wharf assigns addresses
 *   itself and serves no DHCP;</li>
 *   <li>no IPv6 ({@code ipv6-not-bound}): the binding has no IPv6 address, and link-local neighbour discovery is
 *   IPv6's ARP, so allowing it would let a port claim a neighbour's link-local address;</li>
 *   <li>no other EtherType ({@code ethertype-not-allowed}).</li>
 * </ul>
 * Truncated ARP or IPv4 headers drop as {@code truncated}. Runs on worker threads, reading the snapshot only.
 */
public final class PortSecurityNode extends Node
{
    public static final String NAME = CoreNodes.PORT_SECURITY;

    private static final int NEXT_LEARN = 0;
    private static final int ARP_LENGTH = 28;
    private static final int IPV4_MIN_LENGTH = 20;

    /** This node's counters; every one is a drop. */
    public enum Error
    {
        MAC_SPOOF,
        ARP_SPOOF,
        IP_SPOOF,
        IPV6_NOT_BOUND,
        ETHERTYPE_NOT_ALLOWED,
        TRUNCATED
    }

    public PortSecurityNode()
    {
        super(NAME, new String[]{CoreNodes.L2_LEARN}, names(Error.values()));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final PortBinding port = snapshot.port(batch.inPort[i]);
            if (port == null || !port.secured)
            {
                next(batch, i, NEXT_LEARN); // security was switched off between ethernet-input and here
                continue;
            }
            final long address = batch.address[i];
            if (MacAddress.readAt(address + EthernetFlyweight.SOURCE_OFFSET) != port.securedMac)
            {
                drop(batch, i, Error.MAC_SPOOF.ordinal());
                continue;
            }
            final int flags = batch.flags[i];
            final int l3 = batch.l3Offset[i];
            final long l3Address = address + l3;
            if ((flags & PacketBatch.FLAG_IPV4) != 0)
            {
                if (batch.length[i] - l3 < IPV4_MIN_LENGTH)
                {
                    drop(batch, i, Error.TRUNCATED.ordinal());
                    continue;
                }
                if (Integer.reverseBytes(UnsafeApi.getInt(l3Address + Ipv4Flyweight.SOURCE_OFFSET)) != port.securedIp)
                {
                    drop(batch, i, Error.IP_SPOOF.ordinal());
                    continue;
                }
            }
            else if ((flags & PacketBatch.FLAG_ARP) != 0)
            {
                if (batch.length[i] - l3 < ARP_LENGTH)
                {
                    drop(batch, i, Error.TRUNCATED.ordinal());
                    continue;
                }
                final int senderIp = Integer.reverseBytes(UnsafeApi.getInt(l3Address + ArpFlyweight.SENDER_IP_OFFSET));
                if (MacAddress.readAt(l3Address + ArpFlyweight.SENDER_MAC_OFFSET) != port.securedMac ||
                    (senderIp != port.securedIp && senderIp != 0))
                {
                    drop(batch, i, Error.ARP_SPOOF.ordinal());
                    continue;
                }
            }
            else if ((flags & PacketBatch.FLAG_IPV6) != 0)
            {
                drop(batch, i, Error.IPV6_NOT_BOUND.ordinal());
                continue;
            }
            else
            {
                drop(batch, i, Error.ETHERTYPE_NOT_ALLOWED.ordinal());
                continue;
            }
            next(batch, i, NEXT_LEARN);
        }
    }
}
