package dev.wharf.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** tshark as the judge of frames built in the tests: writes them to a pcap and dissects it with checksum validation on. */
final class Tshark
{
    /** Wireshark's PROTO_CHECKSUM_E_GOOD as printed for *.checksum.status fields. */
    static final String GOOD = "1";

    private Tshark()
    {
    }

    /** One line per frame with the requested fields, tab-separated. */
    static String[] dissect(final List<byte[]> frames, final String... fields) throws Exception
    {
        final Path file = Files.createTempFile("wta-", ".pcap");
        try
        {
            Files.write(file, pcap(frames));
            final String[] command = new String[9 + 2 * fields.length];
            int k = 0;
            command[k++] = "tshark";
            command[k++] = "-n";
            command[k++] = "-r";
            command[k++] = file.toString();
            command[k++] = "-o";
            command[k++] = "ip.check_checksum:TRUE";
            command[k++] = "-o";
            command[k++] = "tcp.check_checksum:TRUE";
            command[k++] = "-T";
            final String[] tail = new String[1 + 2 * fields.length + 2];
            int t = 0;
            tail[t++] = "fields";
            for (final String field : fields)
            {
                tail[t++] = "-e";
                tail[t++] = field;
            }
            tail[t++] = "-o";
            tail[t++] = "udp.check_checksum:TRUE";
            final String[] all = new String[k + t];
            System.arraycopy(command, 0, all, 0, k);
            System.arraycopy(tail, 0, all, k, t);
            return Shell.run(all).replaceAll("\\n+$", "").split("\n");
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    static byte[] pcap(final List<byte[]> frames)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(262_144).putInt(1);
        out.writeBytes(header.array());
        for (final byte[] frame : frames)
        {
            final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(0).putInt(0).putInt(frame.length).putInt(frame.length);
            out.writeBytes(record.array());
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }
}
