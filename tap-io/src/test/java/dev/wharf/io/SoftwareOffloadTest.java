package dev.wharf.io;

import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.protocol.Checksums;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Software segmentation and checksum completion, judged by tshark: every segment's IP and TCP
 * checksums must validate, sequence numbers must advance by the payload, and the payloads must
 * reassemble into the original.
 */
final class SoftwareOffloadTest
{
    private static final int MSS = 1448;

    @Test
    void segmentsTcpOverIpv4WithValidChecksums() throws Exception
    {
        final byte[] payload = pattern(10_000);
        final byte[] frame = tcpGsoFrame(false, payload, 0x18 | 0x01);
        final long info = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV4, MSS, 34, 16);
        final List<byte[]> segments = segment(frame, info, PortQueue.NO_TAG);
        assertEquals(7, segments.size());
        verify(segments, payload, false, PortQueue.NO_TAG, MSS);
    }

    @Test
    void segmentsTcpOverIpv6WithValidChecksums() throws Exception
    {
        final byte[] payload = pattern(5_000);
        final byte[] frame = tcpGsoFrame(true, payload, 0x18);
        final long info = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV6, MSS, 54, 16);
        final List<byte[]> segments = segment(frame, info, PortQueue.NO_TAG);
        assertEquals(4, segments.size());
        verify(segments, payload, true, PortQueue.NO_TAG, MSS);
    }

    @Test
    void insertsATagIntoEverySegment() throws Exception
    {
        final byte[] payload = pattern(3_000);
        final byte[] frame = tcpGsoFrame(false, payload, 0x10);
        final long info = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV4, MSS, 34, 16);
        final List<byte[]> segments = segment(frame, info, 0x2064);
        verify(segments, payload, false, 0x2064, MSS);
    }

    @Test
    void refusesWhatItCannotSegment()
    {
        final byte[] frame = tcpGsoFrame(false, pattern(3_000), 0x10);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(frame.length));
        buffer.putBytes(0, frame);
        final SoftwareOffload offload = new SoftwareOffload();
        assertEquals(SoftwareOffload.UNSUPPORTED, offload.prepare(buffer.addressOffset(), frame.length,
            OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_UDP, MSS, 34, 6)), "UFO");
        assertEquals(SoftwareOffload.UNSUPPORTED, offload.prepare(buffer.addressOffset(), frame.length,
            OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV6, MSS, 34, 16)), "TCPv6 GSO on an IPv4 frame");
        assertEquals(SoftwareOffload.UNSUPPORTED, offload.prepare(buffer.addressOffset(), 20,
            OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV4, MSS, 34, 16)), "truncated");
        assertFalse(SoftwareOffload.completeChecksum(buffer, 0, 40, 34, 16), "checksum field beyond the frame");
    }

    @Test
    void completesAPartialUdpChecksum() throws Exception
    {
        final byte[] payload = "complete me, please".getBytes();
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        frame.put(Frames.mac("02:00:00:00:00:02")).put(Frames.mac("02:00:00:00:00:01")).putShort((short)0x0800);
        ipv4Header(frame, 17, 8 + payload.length, 7);
        frame.putShort((short)1234).putShort((short)5678).putShort((short)(8 + payload.length)).putShort((short)0).put(payload);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.array());
        buffer.putShort(40, (short)Checksums.fold(Checksums.sum(buffer, 26, 8, 17 + 8 + payload.length)), ByteOrder.BIG_ENDIAN);
        assertTrue(SoftwareOffload.completeChecksum(buffer, 0, frame.capacity(), 34, 6));
        final String[] lines = Tshark.dissect(List.of(frame.array()), "ip.checksum.status", "udp.checksum.status");
        assertEquals(Tshark.GOOD + "\t" + Tshark.GOOD, lines[0]);
    }

    static List<byte[]> segment(final byte[] frame, final long info, final int tci)
    {
        final UnsafeBuffer source = new UnsafeBuffer(ByteBuffer.allocateDirect(frame.length));
        source.putBytes(0, frame);
        final SoftwareOffload offload = new SoftwareOffload();
        final int count = offload.prepare(source.addressOffset(), frame.length, info);
        assertTrue(count > 0, "prepare: " + count);
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
        final List<byte[]> segments = new ArrayList<>();
        for (int k = 0; k < count; k++)
        {
            final int length = offload.writeSegment(k, out, 0, tci);
            assertEquals(offload.segmentLength(k, tci), length);
            final byte[] segment = new byte[length];
            out.getBytes(0, segment);
            segments.add(segment);
        }
        return segments;
    }

    /** Checks every segment with tshark and that the payloads reassemble; the original payload may be null (unknown). */
    static void verify(final List<byte[]> segments, final byte[] payload, final boolean ipv6, final int tci, final int mss) throws Exception
    {
        final String[] lines = Tshark.dissect(segments,
            ipv6 ? "ipv6.plen" : "ip.checksum.status", "tcp.checksum.status", "tcp.seq_raw", "tcp.len", "tcp.flags", "vlan.id");
        assertEquals(segments.size(), lines.length);
        long expectedSeq = -1;
        final ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
        for (int k = 0; k < lines.length; k++)
        {
            final String[] fields = lines[k].split("\t", -1);
            if (!ipv6)
            {
                assertEquals(Tshark.GOOD, fields[0], "IPv4 checksum of segment " + k + ": " + lines[k]);
            }
            assertEquals(Tshark.GOOD, fields[1], "TCP checksum of segment " + k + ": " + lines[k]);
            final long seq = Long.parseLong(fields[2]);
            final int length = Integer.parseInt(fields[3]);
            if (expectedSeq >= 0)
            {
                assertEquals(expectedSeq, seq, "sequence of segment " + k);
            }
            expectedSeq = (seq + length) & 0xFFFF_FFFFL; // the test frame starts near 2^32 to cross the wrap
            final int flags = Integer.decode(fields[4]);
            if (k < lines.length - 1)
            {
                assertEquals(0, flags & 0x09, "FIN/PSH only on the last segment");
                assertEquals(mss, length);
            }
            assertEquals(tci == PortQueue.NO_TAG ? "" : String.valueOf(tci & 0xFFF), fields[5]);
            final byte[] segment = segments.get(k);
            reassembled.write(segment, segment.length - length, length);
        }
        if (payload != null)
        {
            assertArrayEquals(payload, reassembled.toByteArray());
        }
    }

    static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + (i >>> 8));
        }
        return bytes;
    }

    /** A GSO super-frame as the kernel hands it over: TCP with timestamps, checksum field holding the pseudo-header sum. */
    static byte[] tcpGsoFrame(final boolean ipv6, final byte[] payload, final int flags)
    {
        final int tcpLength = 32 + payload.length;
        final int l3Length = ipv6 ? 40 : 20;
        final ByteBuffer frame = ByteBuffer.allocate(14 + l3Length + tcpLength);
        frame.put(Frames.mac("02:00:00:00:00:02")).put(Frames.mac("02:00:00:00:00:01")).putShort((short)(ipv6 ? 0x86DD : 0x0800));
        if (ipv6)
        {
            frame.putInt(0x60000000).putShort((short)tcpLength).put((byte)6).put((byte)64);
            frame.put(new byte[] {(byte)0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
            frame.put(new byte[] {(byte)0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        }
        else
        {
            ipv4Header(frame, 6, tcpLength, 0x1234);
        }
        frame.putShort((short)40000).putShort((short)5201).putInt(0xFFFFF000).putInt(77).put((byte)(8 << 4)).put((byte)flags)
            .putShort((short)502).putShort((short)0).putShort((short)0);
        frame.put(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2});
        frame.put(payload);
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.array());
        final int l4 = 14 + l3Length;
        final long pseudo = ipv6 ? Checksums.sum(buffer, 22, 32, 6 + tcpLength) : Checksums.sum(buffer, 26, 8, 6 + tcpLength);
        buffer.putShort(l4 + 16, (short)Checksums.fold(pseudo), ByteOrder.BIG_ENDIAN);
        return frame.array();
    }

    private static void ipv4Header(final ByteBuffer frame, final int protocol, final int l4Length, final int id)
    {
        final int start = frame.position();
        frame.put((byte)0x45).put((byte)0).putShort((short)(20 + l4Length)).putShort((short)id).putShort((short)0x4000)
            .put((byte)64).put((byte)protocol).putShort((short)0).put(Frames.ip("10.77.0.1")).put(Frames.ip("10.77.0.2"));
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.array());
        buffer.putShort(start + 10, (short)Checksums.finish(Checksums.sum(buffer, start, 20, 0)), ByteOrder.BIG_ENDIAN);
    }
}
