package dev.wharf.dataplane.trace;

import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.capture.PcapWriter;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.agrona.BitUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing and capture through a whole worker duty cycle, on a dataplane that is not started (the test
 * drives the worker itself) with in-memory ports. Frames were made by scapy:
 * {@code Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc="02:00:00:00:00:01",
 * psrc="10.10.0.2", pdst="10.10.0.1")} and {@code Ether(src="02:00:00:00:00:01", dst="02:57:48:00:00:01")/
 * IP(src="10.10.0.2", dst="10.10.0.1", id=7)/ICMP(type=8, id=0x1234, seq=1)/Raw(b"wharf-trace-test")}.
 */
class TraceAndCaptureTest
{
    private static final byte[] ARP_REQUEST = BitUtil.fromHex(
        "ffffffffffff020000000001080600010800060400010200000000010a0a00020000000000000a0a0001");
    private static final byte[] ECHO_REQUEST = BitUtil.fromHex(
        "02574800000102000000000108004500002c00070000400166b40a0a00020a0a0001080083e51234000177686172662d74726163652d74657374");

    private Dataplane dataplane;
    private MemoryPort a;
    private MemoryPort b;
    private int portA;

    @BeforeEach
    void setUp()
    {
        dataplane = new Dataplane(DataplaneConfiguration.defaults());
        final int front = dataplane.addNetwork("front", Ipv4Address.parse("10.10.0.0"), 24, Ipv4Address.parse("10.10.0.1"),
            MacAddress.parse("02:57:48:00:00:01"));
        a = new MemoryPort("a", 1500, 64);
        b = new MemoryPort("b", 1500, 64);
        portA = dataplane.attachPort(front, a, false, 0, new int[0], 0);
        dataplane.attachPort(front, b, false, 0, new int[0], 0);
    }

    @AfterEach
    void tearDown()
    {
        dataplane.close();
    }

    @Test
    void traceRecordsEveryNodeOfAnArpAnswerAndAPingAnswerWithRewrites()
    {
        final TraceSession trace = dataplane.startTrace(2, portA);
        a.inject(ARP_REQUEST);
        a.inject(ECHO_REQUEST);
        dataplane.worker(0).doWork();

        final List<TraceRecord> records = trace.records();
        assertEquals(2, records.size());
        assertTrue(trace.exhausted());

        final List<String> arpPath = records.get(0).steps().stream().map(TraceRecord.Step::node).toList();
        assertEquals(List.of("ethernet-input", "l2-learn", "l2-forward", "l2-flood", "arp-input", "interface-output"), arpPath);
        final TraceRecord.Step arpInput = records.get(0).steps().get(4);
        assertTrue(arpInput.before().contains("arp request who-has 10.10.0.1 tell 10.10.0.2"), arpInput.before());
        assertNotNull(arpInput.after(), "arp-input rewrote the request");
        assertTrue(arpInput.after().contains("arp reply 10.10.0.2 tell 10.10.0.1 sender-mac 02:57:48:00:00:01"), arpInput.after());
        assertEquals("-> interface-output", arpInput.decision());
        assertEquals("done, out port " + portA, records.get(0).steps().get(5).decision());
        assertNull(records.get(0).steps().get(0).after(), "ethernet-input changes no header of an untagged frame");

        final List<String> pingPath = records.get(1).steps().stream().map(TraceRecord.Step::node).toList();
        assertEquals(List.of("ethernet-input", "l2-learn", "l2-forward", "ip4-input", "ip4-lookup", "ip4-local", "icmp-echo",
            "interface-output"), pingPath);
        final TraceRecord.Step echo = records.get(1).steps().get(6);
        assertTrue(echo.after().contains("ipv4 10.10.0.1 > 10.10.0.2") && echo.after().contains("icmp type 0"), echo.after());

        a.inject(ECHO_REQUEST);
        dataplane.worker(0).doWork();
        assertEquals(2, trace.records().size(), "the budget of two packets is spent");
    }

    @Test
    void dropsAreTracedWithTheirReason()
    {
        final TraceSession trace = dataplane.startTrace(1, TraceSession.ANY_PORT);
        final byte[] badChecksum = ECHO_REQUEST.clone();
        badChecksum[24] ^= 0x55;
        a.inject(badChecksum);
        dataplane.worker(0).doWork();
        final List<TraceRecord.Step> steps = trace.records().get(0).steps();
        assertEquals("drop: ip4-input.bad-checksum", steps.get(3).decision());
        assertEquals("error-drop", steps.get(4).node());
    }

    @Test
    void captureWritesAPcapThatTsharkReadsWithBothDirectionsAndCorrectChecksums() throws Exception
    {
        final Path tshark = Path.of("/usr/bin/tshark");
        if ("true".equalsIgnoreCase(System.getenv("CI")))
        {
            assertTrue(Files.isExecutable(tshark), "CI=true: tshark must be installed");
        }
        Assumptions.assumeTrue(Files.isExecutable(tshark), "needs tshark");

        final CaptureSession capture = dataplane.startCapture(portA, CaptureSession.DIRECTION_BOTH, 4);
        a.inject(ECHO_REQUEST);
        a.inject(ARP_REQUEST);
        dataplane.worker(0).doWork();
        dataplane.stopCapture(capture);

        final Path file = Files.createTempFile("wharf-capture", ".pcap");
        try
        {
            try (PcapWriter writer = new PcapWriter(new FileOutputStream(file.toFile()), CaptureSession.SNAP_LENGTH))
            {
                CaptureSession.Frame frame;
                while ((frame = capture.poll()) != null)
                {
                    writer.write(frame.epochNanos(), frame.data(), frame.originalLength());
                }
            }
            final Process process = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-o", "ip.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=,", "-e", "frame.protocols", "-e", "icmp.type", "-e", "ip.checksum.status",
                "-e", "icmp.checksum.status", "-e", "arp.opcode").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            final List<String> lines = new String(process.getInputStream().readAllBytes()).lines().filter(l -> !l.isBlank()).toList();
            // received in order; answered in graph order (arp-input runs before icmp-echo)
            assertEquals(4, lines.size(), "rx echo, rx arp, tx arp reply, tx echo reply: " + lines);
            // ip.checksum.status / icmp.checksum.status: 1 = good
            assertEquals("eth:ethertype:ip:icmp:data,8,1,1,", lines.get(0));
            assertEquals("eth:ethertype:arp,,,,1", lines.get(1));
            assertEquals("eth:ethertype:arp,,,,2", lines.get(2));
            assertEquals("eth:ethertype:ip:icmp:data,0,1,1,", lines.get(3));
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }
}
