package dev.wharf.io;

import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.protocol.Checksums;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port contract, run against every backend (Netty's habit: one suite, many transports). Each test
 * builds its own namespaces and puts the kernel's stack at the far end of the port: what the port sends
 * must be accepted by the kernel, what the kernel sends must come out of the port byte for byte, and
 * two ports joined by a tiny forwarding loop must carry ping and a TCP transfer whose content is checked.
 */
abstract class PortContractTest
{
    static final String PYTHON = "/usr/bin/python3";
    static final String FAKE_MAC = "02:00:00:00:77:99";

    Topology topology;
    final List<Port> ports = new ArrayList<>();
    private BufferPool pool;

    /** A port whose far end is {@code link} in {@code namespace}, addressed {@code ip}. */
    record Endpoint(Port port, String namespace, String link, String ip)
    {
    }

    /** Opens a port of this backend whose far end is in a new namespace, addressed {@code ip}/24. */
    abstract Endpoint attach(String side, String ip, PortOptions options) throws PortException;

    /** The options every test of the suite opens its ports with (a backend variant overrides them). */
    PortOptions options()
    {
        return PortOptions.DEFAULT;
    }

    /** Prefix of the namespaces and links the suite creates. */
    String topologyPrefix()
    {
        return "wta";
    }

    @BeforeEach
    void setUp()
    {
        Privileges.requireRoot();
        topology = new Topology(topologyPrefix());
        pool = new BufferPool(4, 128 * 1024, BufferPool.DEFAULT_HEADROOM);
    }

    @AfterEach
    void tearDown()
    {
        for (final Port port : ports)
        {
            port.close();
        }
        ports.clear();
        if (topology != null)
        {
            topology.close();
        }
    }

    Endpoint open(final String side, final String ip, final PortOptions options) throws PortException
    {
        final Endpoint endpoint = attach(side, ip, options);
        ports.add(endpoint.port());
        return endpoint;
    }

    @Test
    void reportsMtuAndOffloads() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        assertEquals(1500, a.port().mtu());
        assertTrue(a.port().offloads());
        assertTrue(a.port().queue(0).pollDescriptor() >= 0);
    }

    @Test
    void receivesWhatTheKernelSendsByteForByte() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        neighbour(a, "10.77.0.50", FAKE_MAC);
        final byte[] payload = "wharf-udp-payload-0123456789".getBytes();
        Shell.run(Shell.inNamespace(a.namespace(), PYTHON, "-c",
            "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); " +
            "[s.sendto(b'" + new String(payload) + "', ('10.77.0.50', 40001)) for _ in range(3)]"));

        final byte[] frame = receiveMatching(a.port(), f -> isUdpTo(f, 40001), 3_000);
        assertNotNull(frame, "the UDP datagram sent in the namespace never came out of the port");
        assertArrayEquals(Frames.mac(FAKE_MAC), Arrays.copyOfRange(frame, 0, 6));
        assertArrayEquals(Frames.mac(topology.mac(a.namespace(), a.link())), Arrays.copyOfRange(frame, 6, 12));
        final int ip = Frames.ipv4Offset(frame);
        assertArrayEquals(Frames.ip(a.ip()), Arrays.copyOfRange(frame, ip + 12, ip + 16));
        assertArrayEquals(Frames.ip("10.77.0.50"), Arrays.copyOfRange(frame, ip + 16, ip + 20));
        final int udp = ip + ((frame[ip] & 0x0F) << 2);
        assertEquals(8 + payload.length, Frames.u16(frame, udp + 4));
        assertArrayEquals(payload, Arrays.copyOfRange(frame, udp + 8, udp + 8 + payload.length));
        // the checksum is either complete, or partial with metadata that completes it
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final long info = lastOffload;
        if (OffloadInfo.needsChecksum(info))
        {
            assertEquals(udp, OffloadInfo.csumStart(info));
            assertEquals(6, OffloadInfo.csumOffset(info));
            assertTrue(SoftwareOffload.completeChecksum(buffer, 0, frame.length, udp, 6));
        }
        final long pseudo = Checksums.sum(buffer, ip + 12, 8, 17 + 8 + payload.length);
        assertEquals(0xFFFF, Checksums.fold(Checksums.sum(buffer, udp, 8 + payload.length, pseudo)), "UDP checksum");
    }

    @Test
    void framesSentReachTheKernelWhichAnswers() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        neighbour(a, "10.77.0.99", FAKE_MAC);
        final byte[] request = Frames.icmpEchoRequest(
            Frames.mac(topology.mac(a.namespace(), a.link())), Frames.mac(FAKE_MAC), Frames.ip("10.77.0.99"), Frames.ip(a.ip()), 0x4242, 56);
        assertTrue(send(a.port(), request, PortQueue.NO_TAG));

        final byte[] reply = receiveMatching(a.port(), f -> isEchoReply(f, 0x4242), 3_000);
        assertNotNull(reply, "no echo reply to the request the port sent");
        final int ip = Frames.ipv4Offset(reply);
        assertEquals(14, ip);
        assertArrayEquals(Frames.ip("10.77.0.99"), Arrays.copyOfRange(reply, ip + 16, ip + 20));
    }

    @Test
    void insertsTheVlanTagOnSend() throws Exception
    {
        // this kernel has no 802.1Q devices: tshark in the namespace is the judge of what is on the wire
        final Endpoint a = open("a", "10.77.0.1", options());
        final Process capture = Shell.start(Shell.inNamespace(a.namespace(), "tshark", "-l", "-n", "-i", a.link(), "-a", "duration:10",
            "-c", "1", "-f", "vlan 100 and icmp", "-T", "fields", "-e", "vlan.id", "-e", "ip.dst", "-e", "icmp.type"));
        try
        {
            final byte[] request = Frames.icmpEchoRequest(
                Frames.mac(topology.mac(a.namespace(), a.link())), Frames.mac(FAKE_MAC), Frames.ip("10.78.0.99"), Frames.ip("10.78.0.1"),
                0x4343, 32);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (capture.isAlive() && System.nanoTime() < deadline)
            {
                assertTrue(send(a.port(), request, 100));
                Thread.sleep(200);
            }
            assertTrue(capture.waitFor(12, TimeUnit.SECONDS));
            assertEquals("100\t10.78.0.1\t8", Shell.read(capture.getInputStream()).trim(), "tagged echo request seen by tshark");
        }
        finally
        {
            capture.destroy();
            capture.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void keepsTheVlanTagOnReceive() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        // a tagged frame from a raw socket in the namespace; the kernel may carry the tag beside the data
        Shell.run(Shell.inNamespace(a.namespace(), PYTHON, "-c",
            "import socket\n" +
            "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + a.link() + "', 0))\n" +
            "f=bytes.fromhex('" + FAKE_MAC.replace(":", "") + "')+bytes.fromhex('" + topology.mac(a.namespace(), a.link()).replace(":", "") +
            "')+bytes.fromhex('81000064'+'88b5')+b'wharf-tagged-frame'+bytes(30)\n" +
            "[s.send(f) for _ in range(3)]\n"));
        final byte[] frame = receiveMatching(a.port(), f -> f.length > 18 && Frames.u16(f, 16) == 0x88b5, 3_000);
        assertNotNull(frame, "the tagged frame never came out of the port");
        assertEquals(0x8100, Frames.u16(frame, 12));
        assertEquals(100, Frames.u16(frame, 14) & 0x0FFF);
        assertEquals("wharf-tagged-frame", new String(frame, 18, 18));
    }

    @Test
    void refusesAFrameLargerThanItCanCarry() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final PacketBatch batch = new PacketBatch();
        final int slot = pool.acquire();
        final int i = batch.add(pool.dataAddress(slot), 100_000, pool.headroom(), 0);
        assertFalse(a.port().queue(0).send(batch, i, PortQueue.NO_TAG));
        a.port().queue(0).flush();
        pool.release(slot);
    }

    @Test
    void doesNotReceiveWhatItSent() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        // to a MAC nobody has: the kernel drops it, so nothing may come back
        final byte[] frame = Frames.icmpEchoRequest(
            Frames.mac("02:00:00:00:77:98"), Frames.mac(FAKE_MAC), Frames.ip("10.77.0.99"), Frames.ip("10.77.0.1"), 0x4444, 16);
        assertTrue(send(a.port(), frame, PortQueue.NO_TAG));
        assertEquals(null, receiveMatching(a.port(), f -> Frames.u16(f, 14 + 4) == 0x4444, 300));
    }

    @Test
    void carriesPingAndTcpBetweenTwoNamespaces() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final Endpoint b = open("b", "10.77.0.2", options());
        try (Forwarder forwarder = new Forwarder(a.port(), b.port()))
        {
            final String ping = Shell.run(Shell.inNamespace(a.namespace(), "ping", "-c", "5", "-i", "0.2", "-W", "2", b.ip()));
            assertTrue(ping.contains(" 0% packet loss"), ping);
            System.out.println("[" + getClass().getSimpleName() + "] ping through the forwarder: " + lastLine(ping));

            transfer(a, b, 8 << 20);
            assertTrue(forwarder.gsoFrames > 0, "a TCP transfer from a namespace arrives as GSO super-frames");
            assertTrue(forwarder.largestGsoSize > 1000 && forwarder.largestGsoSize <= 1500 - 40, "gso size " + forwarder.largestGsoSize);
            assertTrue(forwarder.largestFrame > 1514, "largest frame " + forwarder.largestFrame);
            final long info = forwarder.sampleGsoInfo;
            assertEquals(OffloadInfo.GSO_TCPV4, OffloadInfo.gsoType(info) & ~OffloadInfo.GSO_ECN);
            assertTrue(OffloadInfo.needsChecksum(info));
            assertEquals(34, OffloadInfo.csumStart(info));
            assertEquals(16, OffloadInfo.csumOffset(info));
            // a real GSO frame from the kernel, segmented in software, judged by tshark
            final List<byte[]> segments = SoftwareOffloadTest.segment(forwarder.sampleGsoFrame, info, PortQueue.NO_TAG);
            assertTrue(segments.size() > 1);
            SoftwareOffloadTest.verify(segments, null, false, PortQueue.NO_TAG, OffloadInfo.gsoSize(info));
            System.out.println("[" + getClass().getSimpleName() + "] forwarded " + forwarder.forwarded + " frames, " +
                forwarder.gsoFrames + " GSO, largest " + forwarder.largestFrame + " B, send failures " + forwarder.sendFailures);
        }
    }

    @Test
    void segmentsInSoftwareForAPortWithoutOffloads() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final Endpoint b = open("b", "10.77.0.2", options().withOffloads(false));
        assertFalse(b.port().offloads());
        try (Forwarder forwarder = new Forwarder(a.port(), b.port()))
        {
            final String ping = Shell.run(Shell.inNamespace(a.namespace(), "ping", "-c", "3", "-i", "0.2", "-W", "2", b.ip()));
            assertTrue(ping.contains(" 0% packet loss"), ping);
            // a -> b: GSO frames from a's kernel are segmented into b; b -> a: b's kernel segments itself
            transfer(a, b, 4 << 20);
            transfer(b, a, 2 << 20);
            assertTrue(forwarder.gsoFrames > 0, "the transfer must have needed software segmentation");
        }
    }

    /** Sends {@code bytes} of seeded random data from a to b over TCP and checks the receiver's digest. */
    void transfer(final Endpoint from, final Endpoint to, final int bytes) throws Exception
    {
        // generous for a slow shared machine: 60 s, plus a second per 2 MiB
        final long timeoutS = 60 + (bytes >> 21);
        final Process server = Shell.start(Shell.inNamespace(to.namespace(), PYTHON, "-c",
            "import socket,hashlib\n" +
            "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('" + to.ip() + "', 5201)); s.listen(1)\n" +
            "s.settimeout(30); c,_=s.accept(); c.settimeout(" + timeoutS + "); h=hashlib.sha256(); n=0\n" +
            "while True:\n" +
            "    d=c.recv(1<<20)\n" +
            "    if not d: break\n" +
            "    h.update(d); n+=len(d)\n" +
            "print(n, h.hexdigest())\n"));
        try
        {
            final String sent = Shell.run(timeoutS, Shell.inNamespace(from.namespace(), PYTHON, "-c",
                "import socket,hashlib,random,time\n" +
                "data=random.Random(7).randbytes(" + bytes + ")\n" +
                "for i in range(50):\n" +
                "    try:\n" +
                "        s=socket.create_connection(('" + to.ip() + "', 5201), timeout=" + timeoutS + "); break\n" +
                "    except OSError: time.sleep(0.1)\n" +
                "t=time.time(); s.sendall(data); s.shutdown(socket.SHUT_WR); s.recv(1); s.close()\n" +
                "print(len(data), hashlib.sha256(data).hexdigest(), '%.1f' % (len(data)*8/(time.time()-t)/1e6))\n")).trim();
            assertTrue(server.waitFor(timeoutS, TimeUnit.SECONDS), "the receiver did not finish");
            final String received = Shell.read(server.getInputStream()).trim();
            final String[] sentFields = sent.split(" ");
            assertEquals(sentFields[0] + " " + sentFields[1], received, "bytes and SHA-256 at the receiver");
            System.out.println("[" + getClass().getSimpleName() + "] TCP " + bytes + " B " + from.ip() + " -> " + to.ip() + ": ~" +
                sentFields[2] + " Mbit/s (python, includes setup)");
        }
        finally
        {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    void neighbour(final Endpoint endpoint, final String ip, final String mac)
    {
        Shell.run(Shell.inNamespace(endpoint.namespace(), "ip", "neigh", "replace", ip, "lladdr", mac, "dev", endpoint.link(),
            "nud", "permanent"));
    }

    boolean send(final Port port, final byte[] frame, final int vlanTci)
    {
        final PacketBatch batch = new PacketBatch();
        final int slot = pool.acquire();
        try
        {
            new UnsafeBuffer(pool.dataAddress(slot), frame.length).putBytes(0, frame);
            final int i = batch.add(pool.dataAddress(slot), frame.length, pool.headroom(), 0);
            final boolean sent = port.queue(0).send(batch, i, vlanTci);
            port.queue(0).flush();
            return sent;
        }
        finally
        {
            pool.release(slot);
        }
    }

    long lastOffload;

    /** Receives on queue 0 until a frame matches or the time is up; the match's offload goes to {@link #lastOffload}. */
    byte[] receiveMatching(final Port port, final java.util.function.Predicate<byte[]> match, final long timeoutMs)
    {
        final PacketBatch batch = new PacketBatch();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            batch.clear();
            final int n = port.queue(0).receive(batch, 0, PacketBatch.CAPACITY);
            try
            {
                for (int i = 0; i < n; i++)
                {
                    final byte[] frame = new byte[batch.length[i]];
                    batch.frame(i).getBytes(0, frame);
                    if (match.test(frame))
                    {
                        lastOffload = batch.offload[i];
                        return frame;
                    }
                }
            }
            finally
            {
                port.queue(0).releaseReceived();
            }
            if (n == 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }
        return null;
    }

    static boolean isUdpTo(final byte[] frame, final int port)
    {
        final int ip = Frames.ipv4Offset(frame);
        if (ip < 0 || frame.length < ip + 28 || Frames.u8(frame, ip + 9) != 17)
        {
            return false;
        }
        final int udp = ip + ((frame[ip] & 0x0F) << 2);
        return Frames.u16(frame, udp + 2) == port;
    }

    static boolean isEchoReply(final byte[] frame, final int id)
    {
        final int ip = Frames.ipv4Offset(frame);
        if (ip < 0 || frame.length < ip + 28 || Frames.u8(frame, ip + 9) != 1)
        {
            return false;
        }
        final int icmp = ip + ((frame[ip] & 0x0F) << 2);
        return Frames.u8(frame, icmp) == 0 && Frames.u16(frame, icmp + 4) == id;
    }

    static String lastLine(final String text)
    {
        final String[] lines = text.trim().split("\n");
        return lines[lines.length - 1];
    }
}
