package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import org.agrona.UnsafeApi;

/**
 * Lowers the MSS option of a TCP SYN crossing the overlay to what fits the tunnel (its MTU less the
 * IPv4 and TCP headers), so that a container left at MTU 1500 on a 1450-byte overlay is never sent a
 * segment that cannot cross (Docker's overlay leaves this to the container; libnetwork#2661,
 * moby#24906). The TCP checksum is updated incrementally (RFC 1624), or left to whoever completes a
 * partial one. Untagged IPv4 frames only; everything else is left as it is. Static and allocation-free.
 */
public final class MssClamp
{
    private static final int IPV4_TCP_HEADERS = 40;
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;
    private static final int OPTION_MSS = 2;
    private static final int OPTION_MSS_LENGTH = 4;

    private MssClamp()
    {
    }

    /** The largest MSS a tunnel of MTU {@code mtu} carries. */
    public static int maxMss(final int mtu)
    {
        return mtu - IPV4_TCP_HEADERS;
    }

    /**
     * Clamps the MSS of the frame at {@code address} when it is a TCP SYN with an MSS above {@code maxMss}.
     *
     * @return true when the option was lowered.
     */
    public static boolean clamp(final long address, final int length, final long offload, final int maxMss)
    {
        if (length < EthernetFlyweight.HEADER_LENGTH + 20 + TcpFlyweight.MIN_HEADER_LENGTH ||
            (Short.reverseBytes(UnsafeApi.getShort(address + EthernetFlyweight.ETHER_TYPE_OFFSET)) & 0xFFFF) != EthernetFlyweight.TYPE_IPV4 ||
            UnsafeApi.getByte(address + EthernetFlyweight.HEADER_LENGTH + 9) != 6)
        {
            return false;
        }
        final long ip = address + EthernetFlyweight.HEADER_LENGTH;
        final int ipHeaderLength = (UnsafeApi.getByte(ip) & 0x0F) * 4;
        final int fragment = Short.reverseBytes(UnsafeApi.getShort(ip + 6)) & 0x1FFF;
        final long tcp = ip + ipHeaderLength;
        if (fragment != 0 || ipHeaderLength < 20 || EthernetFlyweight.HEADER_LENGTH + ipHeaderLength + TcpFlyweight.MIN_HEADER_LENGTH > length ||
            (UnsafeApi.getByte(tcp + TcpFlyweight.FLAGS_OFFSET) & TcpFlyweight.SYN) == 0)
        {
            return false;
        }
        final int tcpHeaderLength = ((UnsafeApi.getByte(tcp + TcpFlyweight.DATA_OFFSET_OFFSET) & 0xFF) >>> 4) * 4;
        final int end = Math.min(tcpHeaderLength, length - EthernetFlyweight.HEADER_LENGTH - ipHeaderLength);
        int offset = TcpFlyweight.MIN_HEADER_LENGTH;
        while (offset < end)
        {
            final int kind = UnsafeApi.getByte(tcp + offset) & 0xFF;
            if (kind == OPTION_END)
            {
                return false;
            }
            if (kind == OPTION_NOP)
            {
                offset++;
                continue;
            }
            if (offset + 1 >= end)
            {
                return false;
            }
            final int optionLength = UnsafeApi.getByte(tcp + offset + 1) & 0xFF;
            if (optionLength < 2 || offset + optionLength > end)
            {
                return false;
            }
            if (kind == OPTION_MSS && optionLength == OPTION_MSS_LENGTH)
            {
                return lower(tcp, offset + 2, offload, maxMss);
            }
            offset += optionLength;
        }
        return false;
    }

    private static boolean lower(final long tcp, final int mssOffset, final long offload, final int maxMss)
    {
        final int mss = Short.reverseBytes(UnsafeApi.getShort(tcp + mssOffset)) & 0xFFFF;
        if (mss <= maxMss)
        {
            return false;
        }
        UnsafeApi.putShort(tcp + mssOffset, Short.reverseBytes((short)maxMss));
        if (!OffloadInfo.needsChecksum(offload))
        {
            // a partial checksum holds only the pseudo-header sum: whoever completes it sums the new option
            final int checksum = Short.reverseBytes(UnsafeApi.getShort(tcp + TcpFlyweight.CHECKSUM_OFFSET)) & 0xFFFF;
            UnsafeApi.putShort(tcp + TcpFlyweight.CHECKSUM_OFFSET, Short.reverseBytes((short)Checksums.update16(checksum, mss, maxMss)));
        }
        return true;
    }
}
