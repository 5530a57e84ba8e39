package dev.wharf.dataplane.testing;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.HexFormat;

/** Byte-level edits of test frames, written without Wharf's flyweights so tests do not check Wharf with itself. */
public final class Frames
{
    public static final long GATEWAY_MAC = 0x02420a000001L;
    public static final long A_MAC = 0x02420a000002L;
    public static final long B_MAC = 0x02420a000003L;
    public static final String GATEWAY_IP = "10.0.0.1";

    private Frames()
    {
    }

    public static byte[] withDestination(final byte[] frame, final long mac)
    {
        final byte[] copy = frame.clone();
        putMac(copy, 0, mac);
        return copy;
    }

    public static byte[] withSource(final byte[] frame, final long mac)
    {
        final byte[] copy = frame.clone();
        putMac(copy, 6, mac);
        return copy;
    }

    public static byte[] withAddresses(final byte[] frame, final long destination, final long source)
    {
        return withSource(withDestination(frame, destination), source);
    }

    public static long macAt(final byte[] frame, final int offset)
    {
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | (frame[offset + i] & 0xFF);
        }
        return mac;
    }

    public static int u16(final byte[] frame, final int offset)
    {
        return ((frame[offset] & 0xFF) << 8) | (frame[offset + 1] & 0xFF);
    }

    public static void putMac(final byte[] frame, final int offset, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            frame[offset + i] = (byte)(mac >>> (40 - 8 * i));
        }
    }

    /** A locally administered unicast MAC numbered {@code n}. */
    public static long hostMac(final int n)
    {
        return 0x0266_0000_0000L | (n & 0xFFFF_FFFFL);
    }

    /** A buffer holding {@code frame} at {@code offset}, with {@code offset} bytes of junk in front and behind. */
    public static UnsafeBuffer bufferAt(final byte[] frame, final int offset)
    {
        final byte[] backing = new byte[offset + frame.length + offset];
        java.util.Arrays.fill(backing, (byte)0xA5);
        System.arraycopy(frame, 0, backing, offset, frame.length);
        return new UnsafeBuffer(backing);
    }

    public static byte[] bytesOf(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] out = new byte[length];
        buffer.getBytes(offset, out);
        return out;
    }

    public static String hex(final byte[] frame)
    {
        return HexFormat.of().formatHex(frame);
    }
}
