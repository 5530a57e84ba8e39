package dev.wharf.io;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port contract on AF_PACKET ports bound to the host ends of veth pairs, with TPACKET_V2 rings
 * (the default); {@link AfPacketV3PortTest} runs everything again on TPACKET_V3. Beyond the contract:
 * long and bursty traffic checked byte for byte (a transmit slot written while the kernel still owns
 * it, or a receive frame given back too early, would show as corrupt or missing data), ring wraparound
 * on tiny rings, and the fanout group's two hazards (duplicates while sockets join, our own frames).
 */
class AfPacketPortTest extends PortContractTest
{
    /** A local experimental EtherType, so test frames are never mistaken for the kernel's. */
    static final int ETHERTYPE_TEST = 0x88b5;
    private static final int SEQ_OFFSET = 14;
    private static final int PAYLOAD_OFFSET = 18;

    TpacketVersion ringVersion()
    {
        return TpacketVersion.V2;
    }

    @Override
    PortOptions options()
    {
        return PortOptions.DEFAULT.withRingVersion(ringVersion());
    }

    @Override
    String topologyPrefix()
    {
        return "wtb";
    }

    @Override
    Endpoint attach(final String side, final String ip, final PortOptions options) throws PortException
    {
        return attach(side, ip, options, 1);
    }

    /** Like {@link #open} with {@code workers} sockets in a fanout group. */
    Endpoint open(final String side, final String ip, final PortOptions options, final int workers) throws PortException
    {
        final Endpoint endpoint = attach(side, ip, options, workers);
        ports.add(endpoint.port());
        return endpoint;
    }

    private Endpoint attach(final String side, final String ip, final PortOptions options, final int workers) throws PortException
    {
        final String namespace = topology.namespace(side);
        final String host = topology.name(side);
        final String peer = topology.name(side + "p");
        topology.veth(host, peer, namespace, ip + "/24");
        return new Endpoint(AfPacket.open(host, workers, options), namespace, peer, ip);
    }

    @Test
    void isAvailableAsRoot()
    {
        assertTrue(AfPacket.isAvailable(), () -> String.valueOf(AfPacket.unavailabilityCause()));
    }

    @Test
    void namesAMissingInterface()
    {
        final PortException ex = assertThrows(PortException.class, () -> Ports.openAfPacket("wtb-missing", 1));
        assertEquals("interface wtb-missing does not exist", ex.getMessage());
    }

    @Test
    void defaultsToTheLowLatencyRing()
    {
        assertEquals(TpacketVersion.V2, PortOptions.RING_VERSION_DEFAULT);
        assertEquals(TpacketVersion.V3, TpacketVersion.parse(" V3 "));
        assertThrows(IllegalArgumentException.class, () -> TpacketVersion.parse("v4"));
    }

    @Test
    void opensTheRingVersionAskedFor() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        assertEquals(ringVersion(), ((AfPacketPort)a.port()).ringVersion());
    }

    @Test
    void seesTheMtuOfTheLink() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        Shell.run("ip", "link", "set", a.port().name(), "mtu", "1400");
        assertEquals(1400, a.port().mtu());
    }

    @Test
    void sharesAnInterfaceBetweenWorkersThroughFanout() throws Exception
    {
        final AfPacketPort port = (AfPacketPort)open("a", "10.77.0.1", options(), 2).port();
        assertEquals(2, port.workers());
        assertTrue(port.fanoutGroup() >= 0);
        assertTrue(port.queue(0).pollDescriptor() != port.queue(1).pollDescriptor());
        try (Port second = AfPacket.open(port.name(), 2, options()))
        {
            assertTrue(((AfPacketPort)second).fanoutGroup() != port.fanoutGroup(), "each port has its own fanout group");
        }
    }

    @Test
    void carriesALongTcpTransferIntact() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final Endpoint b = open("b", "10.77.0.2", options());
        try (Forwarder forwarder = new Forwarder(a.port(), b.port()))
        {
            transfer(a, b, 200 << 20);
            transfer(b, a, 16 << 20);
            report("200 MiB + 16 MiB", forwarder, a, b);
        }
    }

    @Test
    void wrapsTinyRingsAroundIntact() throws Exception
    {
        // a few frames per ring: every ring index wraps thousands of times and both rings run full
        final PortOptions tiny = options().withRxFrames(4).withRxRing(2, 128 * 1024).withTxFrames(4);
        final Endpoint a = open("a", "10.77.0.1", tiny);
        final Endpoint b = open("b", "10.77.0.2", tiny);
        try (Forwarder forwarder = new Forwarder(a.port(), b.port()))
        {
            final String ping = Shell.run(Shell.inNamespace(a.namespace(), "ping", "-c", "3", "-i", "0.2", "-W", "2", b.ip()));
            assertTrue(ping.contains(" 0% packet loss"), ping);
            transfer(a, b, 32 << 20);
            transfer(b, a, 8 << 20);
            report("tiny rings, 32 MiB + 8 MiB", forwarder, a, b);
        }
    }

    @Test
    void sendsABurstLargerThanTheTransmitRingIntact() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final int frames = 4000;
        // a raw socket in the namespace checks every frame that arrives against the pattern of its sequence number
        final Process receiver = Shell.start(Shell.inNamespace(a.namespace(), PYTHON, "-u", "-c",
            "import socket,struct\n" +
            "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(" + ETHERTYPE_TEST + "))\n" +
            "s.setsockopt(socket.SOL_SOCKET, 33, 64<<20); s.bind(('" + a.link() + "', " + ETHERTYPE_TEST + ")); s.settimeout(3)\n" +
            "base=bytes(range(256))*8; seen=set(); bad=0; dup=0\n" +
            "print('ready')\n" +
            "while True:\n" +
            "    try: f=s.recv(65535)\n" +
            "    except socket.timeout: break\n" +
            "    seq=struct.unpack('!I', f[14:18])[0]; n=" + payloadLengthExpression("seq") + "; k=(seq*7)&255\n" +
            "    if len(f)<18+n or f[18:18+n]!=base[k:k+n]: bad+=1\n" +
            "    elif seq in seen: dup+=1\n" +
            "    else: seen.add(seq)\n" +
            "print(len(seen), bad, dup)\n"));
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            final byte[] dst = Frames.mac(topology.mac(a.namespace(), a.link()));
            final PortQueue queue = a.port().queue(0);
            final BufferPool pool = new BufferPool(1, 2048, BufferPool.DEFAULT_HEADROOM);
            final PacketBatch batch = new PacketBatch();
            final int slot = pool.acquire();
            final UnsafeBuffer frame = new UnsafeBuffer(pool.dataAddress(slot), 2048);
            final AfPacketQueue ring = (AfPacketQueue)queue;
            for (int seq = 0; seq < frames; seq++)
            {
                final int length = testFrame(frame, dst, seq);
                batch.clear();
                final int i = batch.add(pool.dataAddress(slot), length, pool.headroom(), 0);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!queue.send(batch, i, PortQueue.NO_TAG))
                {
                    // every slot still owned by the kernel: wait for the skbs built over them to be released
                    queue.flush();
                    assertTrue(System.nanoTime() < deadline, "the transmit ring never freed a slot");
                    LockSupport.parkNanos(20_000);
                }
                if ((seq & 511) == 511)
                {
                    // more than the ring holds between kicks: send() finds it full and kicks it itself
                    queue.flush();
                }
            }
            queue.flush();
            pool.close();
            assertTrue(receiver.waitFor(30, TimeUnit.SECONDS), "the receiver did not finish");
            final String[] result = out.readLine().trim().split(" ");
            System.out.println("[" + getClass().getSimpleName() + "] tx burst of " + frames + ": received intact " + result[0] +
                ", corrupt " + result[1] + ", duplicated " + result[2] + "; transmit ring full " + ring.txRingFull() + " times");
            assertEquals("0", result[1], "frames corrupted on the way (a slot rewritten while the kernel owned it?)");
            assertEquals("0", result[2], "frames sent twice");
            // a slot reused too early loses or garbles frames; the kernel itself may drop a few under load
            assertTrue(Integer.parseInt(result[0]) >= frames * 9 / 10, "received " + result[0] + " of " + frames);
        }
        finally
        {
            receiver.destroy();
            receiver.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void receivesABurstLargerThanTheReceiveRingIntactAndInOrder() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final int frames = 3000;
        final String src = topology.mac(a.namespace(), a.link()).replace(":", "");
        // sent while nobody reads the port: the ring fills, the kernel drops the rest, nothing may be overwritten
        Shell.run(Shell.inNamespace(a.namespace(), PYTHON, "-c",
            "import socket,struct\n" +
            "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + a.link() + "', 0))\n" +
            "base=bytes(range(256))*8; head=bytes.fromhex('" + FAKE_MAC.replace(":", "") + src + "')+struct.pack('!H', " +
            ETHERTYPE_TEST + ")\n" +
            "for seq in range(" + frames + "):\n" +
            "    n=" + payloadLengthExpression("seq") + "; k=(seq*7)&255\n" +
            "    s.send(head+struct.pack('!I', seq)+base[k:k+n])\n"));
        final PortQueue queue = a.port().queue(0);
        final PacketBatch batch = new PacketBatch();
        final byte[] expected = new byte[2048];
        int received = 0;
        int corrupt = 0;
        int last = -1;
        int outOfOrder = 0;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(500))
        {
            batch.clear();
            final int n = queue.receive(batch, 0, PacketBatch.CAPACITY);
            for (int i = 0; i < n; i++)
            {
                final UnsafeBuffer frame = batch.frame(i);
                if (batch.length[i] < PAYLOAD_OFFSET || (frame.getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF) != ETHERTYPE_TEST)
                {
                    continue;
                }
                final int seq = frame.getInt(SEQ_OFFSET, ByteOrder.BIG_ENDIAN);
                final int length = payloadLength(seq);
                fillPattern(expected, seq, length);
                boolean intact = batch.length[i] >= PAYLOAD_OFFSET + length;
                for (int k = 0; intact && k < length; k++)
                {
                    intact = frame.getByte(PAYLOAD_OFFSET + k) == expected[k];
                }
                corrupt += intact ? 0 : 1;
                outOfOrder += seq > last ? 0 : 1;
                last = seq;
                received++;
            }
            queue.releaseReceived();
            if (n > 0)
            {
                quietSince = System.nanoTime();
            }
            else
            {
                LockSupport.parkNanos(100_000);
            }
        }
        System.out.println("[" + getClass().getSimpleName() + "] rx burst of " + frames + " into a " + ringSize(a) +
            " ring: received " + received + ", corrupt " + corrupt + ", out of order " + outOfOrder);
        assertEquals(0, corrupt, "frames overwritten before they were released");
        assertEquals(0, outOfOrder, "the ring was not read in the order the kernel filled it");
        assertTrue(received > 0);
    }

    @Test
    void noFrameTwiceWhileWorkersJoinTheFanoutGroup() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options());
        final String host = a.port().name();
        neighbour(a, "10.77.0.50", FAKE_MAC);
        a.port().close();
        ports.remove(a.port());
        // a flow of numbered datagrams runs while a two-worker port is opened on the link again and again
        final Process sender = Shell.start(Shell.inNamespace(a.namespace(), PYTHON, "-c",
            "import socket,struct,time\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); end=time.time()+20; i=0\n" +
            "while time.time()<end:\n" +
            "    for _ in range(100):\n" +
            "        s.sendto(struct.pack('!Q', i), ('10.77.0.50', 40003)); i+=1\n"));
        try
        {
            final PacketBatch batch = new PacketBatch();
            int duplicates = 0;
            int received = 0;
            for (int round = 0; round < 15; round++)
            {
                final Set<Long> seen = new HashSet<>();
                try (AfPacketPort port = AfPacket.open(host, 2, options()))
                {
                    final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(40);
                    while (System.nanoTime() < end)
                    {
                        for (int w = 0; w < 2; w++)
                        {
                            batch.clear();
                            final int n = port.queue(w).receive(batch, 0, PacketBatch.CAPACITY);
                            for (int i = 0; i < n; i++)
                            {
                                final byte[] frame = new byte[batch.length[i]];
                                batch.frame(i).getBytes(0, frame);
                                if (isUdpTo(frame, 40003))
                                {
                                    final int udp = Frames.ipv4Offset(frame) + 20;
                                    received++;
                                    if (!seen.add(new UnsafeBuffer(frame).getLong(udp + 8, ByteOrder.BIG_ENDIAN)))
                                    {
                                        duplicates++;
                                    }
                                }
                            }
                            port.queue(w).releaseReceived();
                        }
                    }
                }
            }
            System.out.println("[" + getClass().getSimpleName() + "] 15 two-worker opens during a flow: " + received +
                " datagrams, " + duplicates + " duplicates");
            assertTrue(received > 0, "the flow never reached the port");
            assertEquals(0, duplicates, "a datagram reached two sockets of one port");
        }
        finally
        {
            sender.destroy();
            sender.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSocketOutsideTheGroupDuplicatesUnlessItsFilterHoldsItClosed() throws Exception
    {
        // the hazard and the cure, held open long enough to see: the group gets every frame, and so does a
        // bound socket that has not joined yet, unless its drop-all filter keeps it closed
        final Endpoint a = open("a", "10.77.0.1", options());
        final String host = a.port().name();
        final int index = ((AfPacketPort)a.port()).interfaceIndex();
        neighbour(a, "10.77.0.50", FAKE_MAC);
        a.port().close();
        ports.remove(a.port());
        final PacketSocket member = new PacketSocket(host);
        final PacketSocket open = new PacketSocket(host);
        final PacketSocket closed = new PacketSocket(host);
        final AfPacketQueue[] queues = new AfPacketQueue[3];
        try
        {
            queues[0] = AfPacket.openQueue(member, index, options(), 1500, false);
            member.joinFanout(-1, 0);
            queues[1] = AfPacket.openQueue(open, index, options(), 1500, false);
            queues[2] = AfPacket.openQueue(closed, index, options(), 1500, true);
            Shell.run(Shell.inNamespace(a.namespace(), PYTHON, "-c",
                "import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                "[s.sendto(b'x', ('10.77.0.50', 40004)) for _ in range(20)]\n"));
            final int[] counts = new int[3];
            final PacketBatch batch = new PacketBatch();
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end)
            {
                for (int q = 0; q < 3; q++)
                {
                    batch.clear();
                    final int n = queues[q].receive(batch, 0, PacketBatch.CAPACITY);
                    for (int i = 0; i < n; i++)
                    {
                        final byte[] frame = new byte[batch.length[i]];
                        batch.frame(i).getBytes(0, frame);
                        counts[q] += isUdpTo(frame, 40004) ? 1 : 0;
                    }
                    queues[q].releaseReceived();
                }
                LockSupport.parkNanos(200_000);
            }
            assertEquals(20, counts[0], "the group's member");
            assertEquals(20, counts[1], "a bound socket outside the group sees the same frames: the duplicates");
            assertEquals(0, counts[2], "a bound socket held closed by its filter");
        }
        finally
        {
            for (final AfPacketQueue queue : queues)
            {
                if (queue != null)
                {
                    queue.close();
                }
            }
            member.releaseSetupMemory();
            open.releaseSetupMemory();
            closed.releaseSetupMemory();
        }
    }

    @Test
    void aFanoutGroupReceivesNothingSentOutOfTheInterface() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", options(), 2);
        final AfPacketPort port = (AfPacketPort)a.port();
        final byte[] frame = new byte[PAYLOAD_OFFSET + 64];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        for (int seq = 0; seq < 200; seq++)
        {
            // to a MAC nobody has, so only a copy of our own frame could come back
            testFrame(buffer, Frames.mac("02:00:00:00:77:98"), seq);
            assertTrue(send(port, frame, PortQueue.NO_TAG));
        }
        // the port's own frames bypass the qdisc and with it the taps; frames the host itself sends out of
        // the interface do not, and a fanout group sees them unless the kernel keeps them out
        Shell.run(PYTHON, "-c",
            "import socket,struct\n" +
            "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + port.name() + "', 0))\n" +
            "f=bytes.fromhex('020000007798" + FAKE_MAC.replace(":", "") + "')+struct.pack('!H', " + ETHERTYPE_TEST + ")+bytes(50)\n" +
            "[s.send(f) for _ in range(200)]\n");
        final byte[] echo = receiveMatching(port, f -> f.length > 14 && Frames.u16(f, 12) == ETHERTYPE_TEST, 300);
        final PacketBatch batch = new PacketBatch();
        batch.clear();
        final int second = port.queue(1).receive(batch, 0, PacketBatch.CAPACITY);
        port.queue(1).releaseReceived();
        long skipped = 0;
        for (int w = 0; w < 2; w++)
        {
            skipped += ((AfPacketQueue)port.queue(w)).rxRing().outgoingSkipped();
        }
        System.out.println("[" + getClass().getSimpleName() + "] fanout group ignores outgoing in the kernel: " +
            port.fanoutIgnoresOutgoing() + "; outgoing frames skipped by the rings: " + skipped);
        assertEquals(null, echo, "queue 0 received a frame sent out of the interface");
        for (int i = 0; i < second; i++)
        {
            assertFalse(batch.length[i] > 14 && (batch.frame(i).getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF) == ETHERTYPE_TEST);
        }
        if (port.fanoutIgnoresOutgoing())
        {
            assertEquals(0, skipped, "the kernel copied outgoing frames into the rings");
        }
    }

    /** Payload bytes of test frame {@code seq}: 46 to 1445, so frames vary in size. */
    static int payloadLength(final int seq)
    {
        return 46 + (seq * 37) % 1400;
    }

    /** {@link #payloadLength} in Python, for the namespace's side of a test. */
    static String payloadLengthExpression(final String seq)
    {
        return "46+(" + seq + "*37)%1400";
    }

    static void fillPattern(final byte[] payload, final int seq, final int length)
    {
        for (int k = 0; k < length; k++)
        {
            payload[k] = (byte)(seq * 7 + k);
        }
    }

    /** Writes test frame {@code seq} (to {@code dst}, from {@link #FAKE_MAC}) into {@code frame}. @return its length. */
    static int testFrame(final UnsafeBuffer frame, final byte[] dst, final int seq)
    {
        frame.putBytes(0, dst);
        frame.putBytes(6, Frames.mac(FAKE_MAC));
        frame.putShort(12, (short)ETHERTYPE_TEST, ByteOrder.BIG_ENDIAN);
        frame.putInt(SEQ_OFFSET, seq, ByteOrder.BIG_ENDIAN);
        final int length = Math.min(payloadLength(seq), frame.capacity() - PAYLOAD_OFFSET);
        for (int k = 0; k < length; k++)
        {
            frame.putByte(PAYLOAD_OFFSET + k, (byte)(seq * 7 + k));
        }
        return PAYLOAD_OFFSET + length;
    }

    private String ringSize(final Endpoint endpoint)
    {
        final PacketRxRing ring = ((AfPacketQueue)endpoint.port().queue(0)).rxRing();
        return ring instanceof Tpacket2RxRing v2 ? v2.frameCount() + "-frame" : (options().rxBlocks() * options().rxBlockSize() >> 20) + " MiB";
    }

    private void report(final String what, final Forwarder forwarder, final Endpoint a, final Endpoint b)
    {
        final AfPacketQueue qa = (AfPacketQueue)a.port().queue(0);
        final AfPacketQueue qb = (AfPacketQueue)b.port().queue(0);
        System.out.println("[" + getClass().getSimpleName() + "] " + what + ": forwarded " + forwarder.forwarded + " frames (" +
            forwarder.gsoFrames + " GSO), send failures " + forwarder.sendFailures + ", tx ring full " + (qa.txRingFull() + qb.txRingFull()) +
            ", kick errors " + (qa.kickErrors() + qb.kickErrors()) + ", truncated " + (qa.rxRing().truncated() + qb.rxRing().truncated()) +
            ", dropped by the kernel for a full receive ring " + (qa.takeKernelDrops() + qb.takeKernelDrops()));
        assertEquals(0, qa.rxRing().truncated() + qb.rxRing().truncated(), "frames too large for the receive ring");
    }
}
