package dev.wharf.io;

import com.sun.security.auth.module.UnixSystem;
import dev.wharf.dataplane.protocol.Ipv4Address;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Echo requests to loopback through both kinds of ICMP socket, as root. The ping socket path inside
 * a namespace that grants it is exercised by the demo's end-to-end test (its containers grant it, as
 * Docker's do); here the host's own net.ipv4.ping_group_range decides which kind {@code open()} gets.
 */
final class IcmpEchoSocketTest
{
    private static final int LOOPBACK = Ipv4Address.parse("127.0.0.1");
    private static final int OTHER_LOOPBACK = Ipv4Address.parse("127.0.0.2");
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(2);

    @BeforeEach
    void needsRoot()
    {
        Privileges.requireRoot();
    }

    @Test
    void rawSocketGetsTheReplyToEachRequestByItsSequence() throws Exception
    {
        try (IcmpEchoSocket socket = IcmpEchoSocket.open(IcmpEchoSocket.Kind.RAW))
        {
            assertEquals(IcmpEchoSocket.Kind.RAW, socket.kind());
            for (int sequence = 1; sequence <= 3; sequence++)
            {
                socket.sendEchoRequest(LOOPBACK, sequence, 56);
                // loopback hands the raw socket its own request too: only the reply may count
                assertEquals(sequence, socket.receiveEchoReply(LOOPBACK, System.nanoTime() + WAIT_NS));
                assertEquals(64, socket.replyLength());
            }
        }
    }

    @Test
    void aReplyFromAnotherAddressDoesNotCountAndTheWaitEnds() throws Exception
    {
        try (IcmpEchoSocket socket = IcmpEchoSocket.open())
        {
            socket.sendEchoRequest(LOOPBACK, 7, 16);
            final long start = System.nanoTime();
            assertEquals(-1, socket.receiveEchoReply(OTHER_LOOPBACK, start + TimeUnit.MILLISECONDS.toNanos(300)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "waited until the deadline");
            socket.sendEchoRequest(LOOPBACK, 8, 16);
            assertEquals(8, socket.receiveEchoReply(LOOPBACK, System.nanoTime() + WAIT_NS), "the earlier reply was skipped, not queued");
            assertEquals(24, socket.replyLength());
        }
    }

    @Test
    void openTakesAPingSocketWhereTheGroupRangeGrantsOneElseARawSocket() throws Exception
    {
        // Files.readString returns only the first byte of this sysctl file (JDK 25 here); a stream reads it whole
        final String[] range;
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range")))
        {
            range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
        }
        final long low = Long.parseLong(range[0]);
        final long high = Long.parseLong(range[1]);
        boolean granted = false;
        final UnixSystem user = new UnixSystem();
        granted |= low <= user.getGid() && user.getGid() <= high;
        for (final long group : user.getGroups())
        {
            granted |= low <= group && group <= high;
        }
        try (IcmpEchoSocket socket = IcmpEchoSocket.open())
        {
            assertEquals(granted ? IcmpEchoSocket.Kind.PING : IcmpEchoSocket.Kind.RAW, socket.kind(), "ping_group_range " + low + " " + high);
            socket.sendEchoRequest(LOOPBACK, 1, 56);
            assertEquals(1, socket.receiveEchoReply(LOOPBACK, System.nanoTime() + WAIT_NS));
        }
    }
}
