package dev.wharf.dataplane.protocol;

import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/** Ethernet II header (IEEE 802.3 clause 3): destination, source, EtherType. */
public final class EthernetFlyweight
{
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHER_TYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    /** Smallest frame without FCS that a sender pads to. */
    public static final int MIN_FRAME_LENGTH = 60;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88A8;
    public static final int TYPE_IPV6 = 0x86DD;

    private MutableDirectBuffer buffer;
    private int offset;

    public EthernetFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public long destination()
    {
        return MacAddress.read(buffer, offset + DESTINATION_OFFSET);
    }

    public EthernetFlyweight destination(final long mac)
    {
        MacAddress.write(buffer, offset + DESTINATION_OFFSET, mac);
        return this;
    }

    public long source()
    {
        return MacAddress.read(buffer, offset + SOURCE_OFFSET);
    }

    public EthernetFlyweight source(final long mac)
    {
        MacAddress.write(buffer, offset + SOURCE_OFFSET, mac);
        return this;
    }

    public int etherType()
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET, NETWORK) & 0xFFFF;
    }

    public EthernetFlyweight etherType(final int type)
    {
        buffer.putShort(offset + ETHER_TYPE_OFFSET, (short)type, NETWORK);
        return this;
    }
}
