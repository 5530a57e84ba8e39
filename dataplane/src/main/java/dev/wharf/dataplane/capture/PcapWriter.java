package dev.wharf.dataplane.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the classic pcap format with nanosecond timestamps (magic 0xA1B23C4D, link type 1,
 * Ethernet), which tshark, tcpdump and Wireshark read from a file or a pipe. Not thread-safe.
 */
public final class PcapWriter implements AutoCloseable
{
    private static final int MAGIC_NANOSECONDS = 0xA1B2_3C4D;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int GLOBAL_HEADER_LENGTH = 24;
    private static final int RECORD_HEADER_LENGTH = 16;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(final OutputStream out, final int snapLength) throws IOException
    {
        this.out = out;
        header.putInt(MAGIC_NANOSECONDS).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
            .putInt(snapLength).putInt(LINKTYPE_ETHERNET);
        out.write(header.array(), 0, GLOBAL_HEADER_LENGTH);
    }

    /** Appends one frame captured at {@code epochNanos}; {@code originalLength} may exceed the bytes kept. */
    public void write(final long epochNanos, final byte[] data, final int originalLength) throws IOException
    {
        header.clear();
        header.putInt((int)(epochNanos / 1_000_000_000L)).putInt((int)(epochNanos % 1_000_000_000L))
            .putInt(data.length).putInt(originalLength);
        out.write(header.array(), 0, RECORD_HEADER_LENGTH);
        out.write(data);
    }

    public void flush() throws IOException
    {
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }
}
