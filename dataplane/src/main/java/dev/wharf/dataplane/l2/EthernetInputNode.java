package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.graph.CoreNodes;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ethernet-input: the first core node (after the device-input arc). Parses the Ethernet header once (OVS's
 * miniflow_extract), classifies the frame into its port's network and VLAN, strips an 802.1Q tag in
 * place so later nodes see untagged frames, and records the L3 offset and the frame kind in the
 * batch. Malformed and unsupported frames are dropped here under their reason.
 */
public final class EthernetInputNode extends Node
{
    public static final String NAME = CoreNodes.ETHERNET_INPUT;

    private static final int NEXT_LEARN = 0;
    private static final int NEXT_PORT_SECURITY = 1;

    /** This node's counters; the drops among them name why. */
    public enum Error
    {
        UNKNOWN_PORT,
        RUNT,
        OVERSIZE,
        INVALID_SOURCE_MAC,
        TAGGED_ON_ACCESS_PORT,
        VLAN_NOT_ALLOWED,
        UNSUPPORTED_QINQ,
        LLC_UNSUPPORTED,
        RESERVED_MULTICAST
    }

    /** 01:80:C2:00:00:0X: IEEE 802.1D link-local groups (STP, LACP, LLDP); a bridge never forwards them. */
    private static final long LINK_LOCAL_PREFIX = 0x0180_C200_0000L;

    private final VlanTagFlyweight tag = new VlanTagFlyweight();

    public EthernetInputNode()
    {
        super(NAME, new String[]{CoreNodes.L2_LEARN, CoreNodes.PORT_SECURITY}, names(Error.values()));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final PortBinding port = snapshot.port(batch.inPort[i]);
            if (port == null || port.network < 0)
            {
                // a device port (a tunnel underlay) whose frames no device-input feature claimed
                drop(batch, i, Error.UNKNOWN_PORT.ordinal());
                continue;
            }
            if (batch.length[i] < EthernetFlyweight.HEADER_LENGTH)
            {
                drop(batch, i, Error.RUNT.ordinal());
                continue;
            }
            final long address = batch.address[i];
            final long source = MacAddress.readAt(address + EthernetFlyweight.SOURCE_OFFSET);
            if (MacAddress.isMulticast(source) || source == 0)
            {
                drop(batch, i, Error.INVALID_SOURCE_MAC.ordinal());
                continue;
            }
            final long destination = MacAddress.readAt(address + EthernetFlyweight.DESTINATION_OFFSET);
            if ((destination & ~0xFL) == LINK_LOCAL_PREFIX)
            {
                drop(batch, i, Error.RESERVED_MULTICAST.ordinal());
                continue;
            }
            int type = Short.reverseBytes(UnsafeApi.getShort(address + EthernetFlyweight.ETHER_TYPE_OFFSET)) & 0xFFFF;
            int vlan = port.accessVlan;
            if (type == EthernetFlyweight.TYPE_VLAN)
            {
                if (batch.length[i] < VlanTagFlyweight.TAGGED_HEADER_LENGTH)
                {
                    drop(batch, i, Error.RUNT.ordinal());
                    continue;
                }
                final UnsafeBuffer frame = batch.frame(i);
                tag.wrap(frame, 0);
                vlan = tag.vid();
                type = tag.innerEtherType();
                if (type == EthernetFlyweight.TYPE_VLAN || type == EthernetFlyweight.TYPE_QINQ)
                {
                    // a second tag would leave with the frame untouched: a priority tag over a VLAN tag hops VLANs
                    drop(batch, i, Error.UNSUPPORTED_QINQ.ordinal());
                    continue;
                }
                if (!port.trunk && vlan != 0)
                {
                    drop(batch, i, Error.TAGGED_ON_ACCESS_PORT.ordinal());
                    continue;
                }
                if (vlan == 0)
                {
                    vlan = port.accessVlan; // a priority tag: the frame belongs to the port's untagged VLAN
                }
                if (!port.carries(vlan))
                {
                    drop(batch, i, Error.VLAN_NOT_ALLOWED.ordinal());
                    continue;
                }
                VlanTagFlyweight.stripInPlace(frame, 0);
                batch.adjustStart(i, VlanTagFlyweight.TAG_LENGTH);
                batch.offload[i] = OffloadInfo.shiftStart(batch.offload[i], -VlanTagFlyweight.TAG_LENGTH);
                batch.flags[i] |= PacketBatch.FLAG_VLAN_STRIPPED;
            }
            else if (type == EthernetFlyweight.TYPE_QINQ)
            {
                drop(batch, i, Error.UNSUPPORTED_QINQ.ordinal());
                continue;
            }
            if (type < 0x0600)
            {
                drop(batch, i, Error.LLC_UNSUPPORTED.ordinal());
                continue;
            }
            if (batch.length[i] - EthernetFlyweight.HEADER_LENGTH > port.mtu && !OffloadInfo.isGso(batch.offload[i]))
            {
                drop(batch, i, Error.OVERSIZE.ordinal());
                continue;
            }
            int flags = batch.flags[i];
            if (MacAddress.isMulticast(destination))
            {
                flags |= destination == MacAddress.BROADCAST ? PacketBatch.FLAG_BROADCAST : PacketBatch.FLAG_MULTICAST;
            }
            if (type == EthernetFlyweight.TYPE_IPV4)
            {
                flags |= PacketBatch.FLAG_IPV4;
            }
            else if (type == EthernetFlyweight.TYPE_ARP)
            {
                flags |= PacketBatch.FLAG_ARP;
            }
            else if (type == EthernetFlyweight.TYPE_IPV6)
            {
                flags |= PacketBatch.FLAG_IPV6;
            }
            batch.flags[i] = flags;
            batch.vlan[i] = vlan;
            batch.network[i] = port.network;
            batch.l3Offset[i] = EthernetFlyweight.HEADER_LENGTH;
            next(batch, i, port.secured ? NEXT_PORT_SECURITY : NEXT_LEARN);
        }
    }
}
