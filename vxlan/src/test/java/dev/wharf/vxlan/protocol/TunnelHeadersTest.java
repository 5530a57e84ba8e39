package dev.wharf.vxlan.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.vxlan.Encapsulation;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VXLAN (RFC 7348) and Geneve (RFC 8926) headers against datagrams scapy built
 * (vxlan/src/test/scapy/make_fixtures.py): what we read from theirs, that what we write is byte for
 * byte what scapy writes, and that tshark dissects what we write as the encapsulation with its VNI
 * around the inner frame.
 */
class TunnelHeadersTest
{
    private final ByteBuffer memory = ByteBuffer.allocateDirect(4096);
    private final UnsafeBuffer buffer = new UnsafeBuffer(memory);

    @AfterEach
    void tearDown()
    {
        BufferUtil.free(memory);
    }

    /** Puts a fixture's bytes off-heap, as a datagram in a receive buffer, and returns their address. */
    private long load(final Fixture fixture)
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        buffer.putBytes(0, fixture.bytes());
        return buffer.addressOffset();
    }

    @Test
    void vxlanHeadersScapyBuiltAreReadWithTheirVniAndReservedBitsIgnored()
    {
        for (final String name : List.of("vxlan_vni42", "vxlan_vni_max", "vxlan_reserved_bits"))
        {
            final Fixture fixture = Fixture.load(name);
            assertEquals(fixture.intValue("vni"), VxlanHeader.vniOf(load(fixture)), name);
        }
        assertEquals(VxlanHeader.NO_VNI_FLAG, VxlanHeader.vniOf(load(Fixture.load("vxlan_no_i_flag"))), "the I flag is clear");
    }

    @Test
    void theVxlanHeaderWeWriteIsScapysByteForByte()
    {
        for (final String name : List.of("vxlan_vni42", "vxlan_vni_max"))
        {
            final Fixture fixture = Fixture.load(name);
            VxlanHeader.write(buffer.addressOffset(), fixture.intValue("vni"));
            final byte[] ours = new byte[VxlanHeader.LENGTH];
            buffer.getBytes(0, ours);
            assertArrayEquals(Arrays.copyOf(fixture.bytes(), VxlanHeader.LENGTH), ours, name);
        }
    }

    @Test
    void geneveHeadersScapyBuiltAreReadWithTheirOptionsWalkedAndSkipped()
    {
        for (final String name : List.of("geneve_vni42", "geneve_option"))
        {
            final Fixture fixture = Fixture.load(name);
            final long address = load(fixture);
            assertEquals(fixture.intValue("header_length"), GeneveHeader.parse(address, fixture.length()), name);
            assertEquals(fixture.intValue("vni"), GeneveHeader.vniOf(address), name);
            assertEquals(fixture.intValue("inner_length"), fixture.length() - fixture.intValue("header_length"), name + ": the inner frame follows");
        }
    }

    @Test
    void badGeneveHeadersAreRefusedWithTheirReason()
    {
        assertRefused("geneve_critical_option", GeneveHeader.CRITICAL_OPTION);
        assertRefused("geneve_bad_option_length", GeneveHeader.BAD_OPTION_LENGTH);
        assertRefused("geneve_version_1", GeneveHeader.BAD_VERSION);
        assertRefused("geneve_not_ethernet", GeneveHeader.NOT_ETHERNET);
        assertRefused("geneve_truncated", GeneveHeader.TRUNCATED);
        final Fixture good = Fixture.load("geneve_vni42");
        assertEquals(GeneveHeader.TRUNCATED, GeneveHeader.parse(load(good), GeneveHeader.BASE_LENGTH - 1), "shorter than the base header");
    }

    private void assertRefused(final String name, final int reason)
    {
        final Fixture fixture = Fixture.load(name);
        assertEquals(reason, GeneveHeader.parse(load(fixture), fixture.length()), name + " (" + fixture.text("reason") + ")");
    }

    @Test
    void theGeneveHeaderWeWriteIsScapysByteForByte()
    {
        final Fixture fixture = Fixture.load("geneve_vni42");
        GeneveHeader.write(buffer.addressOffset(), 42);
        final byte[] ours = new byte[GeneveHeader.BASE_LENGTH];
        buffer.getBytes(0, ours);
        assertArrayEquals(Arrays.copyOf(fixture.bytes(), GeneveHeader.BASE_LENGTH), ours);
    }

    @Test
    void tsharkDissectsWhatWeWriteAsTheEncapsulationWithItsVniAroundTheInnerFrame() throws Exception
    {
        final Fixture reference = Fixture.load("vxlan_datagram_ipv4");
        final byte[] inner = Arrays.copyOfRange(Fixture.load("vxlan_vni42").bytes(), VxlanHeader.LENGTH, Fixture.load("vxlan_vni42").length());
        final byte[] vxlan = datagram(Encapsulation.VXLAN, 7_000_001, inner);
        final byte[] geneve = datagram(Encapsulation.GENEVE, 4242, inner);

        final String[] lines = tshark(List.of(vxlan, geneve, reference.bytes()),
            "vxlan.vni", "geneve.vni", "eth.src", "eth.dst", "udp.dstport");

        assertEquals("7000001\t\t02:42:0a:32:00:02\t02:42:0a:32:00:03\t4789,5000", lines[0], "ours, VXLAN");
        assertEquals("\t0x001092\t02:42:0a:32:00:02\t02:42:0a:32:00:03\t6081,5000", lines[1], "ours, Geneve (tshark prints its VNI in hex: 4242)");
        assertEquals("42\t\t02:42:0a:32:00:02\t02:42:0a:32:00:03\t4789,5000", lines[2], "scapy's, for reference");
    }

    /** An outer IPv4/UDP datagram to the encapsulation's port around our header for {@code vni} and {@code inner}. */
    private byte[] datagram(final Encapsulation encapsulation, final int vni, final byte[] inner)
    {
        encapsulation.writeHeader(buffer.addressOffset(), vni);
        final int header = encapsulation.headerLength();
        final int udpLength = 8 + header + inner.length;
        final ByteBuffer packet = ByteBuffer.allocate(20 + udpLength).order(ByteOrder.BIG_ENDIAN);
        packet.put((byte)0x45).put((byte)0).putShort((short)(20 + udpLength)).putInt(0).put((byte)64).put((byte)17).putShort((short)0)
            .put(new byte[]{10, (byte)200, 0, 1}).put(new byte[]{10, (byte)200, 0, 2});
        packet.putShort((short)49152).putShort((short)encapsulation.defaultPort()).putShort((short)udpLength).putShort((short)0);
        final byte[] ours = new byte[header];
        buffer.getBytes(0, ours);
        packet.put(ours).put(inner);
        return packet.array();
    }

    /** tshark's fields for each raw-IPv4 packet, one tab-separated line each. */
    private static String[] tshark(final List<byte[]> packets, final String... fields) throws Exception
    {
        final Path file = Files.createTempFile("wharf-vxlan-", ".pcap");
        try
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(262_144).putInt(101); // LINKTYPE_RAW
            out.writeBytes(header.array());
            for (final byte[] packet : packets)
            {
                final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                record.putInt(0).putInt(0).putInt(packet.length).putInt(packet.length);
                out.writeBytes(record.array());
                out.writeBytes(packet);
            }
            Files.write(file, out.toByteArray());
            final List<String> command = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", file.toString(),
                "-d", "udp.port==6081,geneve", "-T", "fields"));
            for (final String field : fields)
            {
                command.add("-e");
                command.add(field);
            }
            final Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            final String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "tshark finished");
            assertEquals(0, process.exitValue(), () -> "tshark failed (scripts/install-deps.sh installs it): " + stderr);
            return stdout.replaceAll("\\n+$", "").split("\n");
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }
}
