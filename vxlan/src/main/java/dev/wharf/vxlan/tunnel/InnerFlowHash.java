package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.protocol.EthernetFlyweight;
import org.agrona.UnsafeApi;

/**
 * A hash of an inner frame's flow, for the outer UDP source port: IPv4 addresses, protocol and (for an
 * unfragmented TCP or UDP packet) ports; the MAC addresses for anything else. Every packet of a flow
 * gets the same value, so it keeps one underlay path and arrives in order. Static, allocation-free.
 */
public final class InnerFlowHash
{
    private static final int GOLDEN = 0x9E37_79B9;

    private InnerFlowHash()
    {
    }

    public static int of(final long frame, final int length)
    {
        if (length < EthernetFlyweight.HEADER_LENGTH + 20)
        {
            return 0;
        }
        final int type = Short.reverseBytes(UnsafeApi.getShort(frame + EthernetFlyweight.ETHER_TYPE_OFFSET)) & 0xFFFF;
        if (type != EthernetFlyweight.TYPE_IPV4)
        {
            return mix(UnsafeApi.getInt(frame) ^ UnsafeApi.getInt(frame + 4) ^ UnsafeApi.getInt(frame + 8));
        }
        final long ip = frame + EthernetFlyweight.HEADER_LENGTH;
        final int protocol = UnsafeApi.getByte(ip + 9) & 0xFF;
        int h = UnsafeApi.getInt(ip + 12) * GOLDEN ^ UnsafeApi.getInt(ip + 16) ^ protocol;
        final int headerLength = (UnsafeApi.getByte(ip) & 0x0F) * 4;
        final boolean fragment = (Short.reverseBytes(UnsafeApi.getShort(ip + 6)) & 0x3FFF) != 0;
        if ((protocol == 6 || protocol == 17) && !fragment && EthernetFlyweight.HEADER_LENGTH + headerLength + 4 <= length)
        {
            h ^= UnsafeApi.getInt(ip + headerLength) * GOLDEN;
        }
        return mix(h);
    }

    private static int mix(final int value)
    {
        final int h = value * GOLDEN;
        return h ^ (h >>> 15) ^ (h >>> 27);
    }
}
