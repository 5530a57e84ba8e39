package dev.wharf.dataplane.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes frames as a classic libpcap file (LINKTYPE_ETHERNET, microsecond timestamps), the format
 * every dissector reads, so tshark can judge what Wharf sent.
 */
public final class Pcap
{
    private static final int MAGIC = 0xA1B2_C3D4;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int SNAPLEN = 262_144;

    private Pcap()
    {
    }

    public static Path write(final Path file, final List<byte[]> frames)
    {
        int size = 24;
        for (final byte[] frame : frames)
        {
            size += 16 + frame.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        int second = 1_700_000_000;
        for (final byte[] frame : frames)
        {
            out.putInt(second++).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        }
        try
        {
            Files.write(file, out.array());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
