package dev.wharf.vxlan.underlay;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 addresses as {@code int}s (network byte order read as a big-endian int) and back. */
public final class UnderlayAddresses
{
    private UnderlayAddresses()
    {
    }

    public static Inet4Address inet4(final int address)
    {
        try
        {
            return (Inet4Address)InetAddress.getByAddress(new byte[]{
                (byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address});
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex); // four bytes are always an address
        }
    }

    public static String text(final int address)
    {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }
}
