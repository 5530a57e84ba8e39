package dev.wharf.io;

import dev.wharf.dataplane.protocol.Checksums;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Frames built in code for the port tests, and small readers for what comes back. */
final class Frames
{
    private Frames()
    {
    }

    static byte[] mac(final String text)
    {
        final String[] parts = text.split(":");
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            mac[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    static byte[] ip(final String text)
    {
        final String[] parts = text.split("\\.");
        final byte[] ip = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            ip[i] = (byte)Integer.parseInt(parts[i]);
        }
        return ip;
    }

    /** Ethernet + IPv4 + ICMP echo request with {@code payloadLength} bytes of pattern. */
    static byte[] icmpEchoRequest(
        final byte[] dstMac, final byte[] srcMac, final byte[] srcIp, final byte[] dstIp, final int id, final int payloadLength)
    {
        final int icmpLength = 8 + payloadLength;
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + icmpLength).order(ByteOrder.BIG_ENDIAN);
        frame.put(dstMac).put(srcMac).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)(20 + icmpLength)).putShort((short)id).putShort((short)0x4000)
            .put((byte)64).put((byte)1).putShort((short)0).put(srcIp).put(dstIp);
        frame.put((byte)8).put((byte)0).putShort((short)0).putShort((short)id).putShort((short)1);
        for (int i = 0; i < payloadLength; i++)
        {
            frame.put((byte)i);
        }
        final byte[] bytes = frame.array();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putShort(24, (short)Checksums.finish(Checksums.sum(buffer, 14, 20, 0)), ByteOrder.BIG_ENDIAN);
        buffer.putShort(36, (short)Checksums.finish(Checksums.sum(buffer, 34, icmpLength, 0)), ByteOrder.BIG_ENDIAN);
        return bytes;
    }

    static int u8(final byte[] frame, final int offset)
    {
        return frame[offset] & 0xFF;
    }

    static int u16(final byte[] frame, final int offset)
    {
        return ((frame[offset] & 0xFF) << 8) | (frame[offset + 1] & 0xFF);
    }

    /** Offset of the IPv4 header of an untagged or 802.1Q-tagged frame, or -1. */
    static int ipv4Offset(final byte[] frame)
    {
        int offset = 12;
        while (offset + 2 <= frame.length && u16(frame, offset) == 0x8100)
        {
            offset += 4;
        }
        return offset + 2 <= frame.length && u16(frame, offset) == 0x0800 ? offset + 2 : -1;
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder();
        for (final byte b : bytes)
        {
            text.append(String.format("%02x", b));
        }
        return text.toString();
    }
}
