package dev.wharf.control.server;

import dev.wharf.control.state.LbSection;
import dev.wharf.dataplane.protocol.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health probes against servers on loopback that answer what a backend might: a status line, nothing, a refusal. */
class HealthProbeTest
{
    private static final int LOOPBACK = Ipv4Address.parse("127.0.0.1");
    private static final LbSection.Health HTTP = new LbSection.Health(LbSection.Health.HTTP, "/healthz", 1_000, 500, 3, 2);
    private static final LbSection.Health TCP = new LbSection.Health(LbSection.Health.TCP, "", 1_000, 500, 3, 2);

    /** A server that reads the request head, remembers it, and answers {@code answer} (or nothing, when null). */
    private static String probeAgainst(final String answer, final LbSection.Health check, final AtomicReference<String> request)
        throws IOException
    {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread serve = Thread.ofVirtual().start(() ->
            {
                try (Socket socket = server.accept())
                {
                    final InputStream in = socket.getInputStream();
                    final StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n") && check.kind().equals(LbSection.Health.HTTP))
                    {
                        final int b = in.read();
                        if (b < 0)
                        {
                            break;
                        }
                        head.append((char)b);
                    }
                    request.set(head.toString());
                    if (answer != null)
                    {
                        socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                    }
                    else
                    {
                        Thread.sleep(check.timeoutMs() * 2L);
                    }
                }
                catch (final IOException | InterruptedException ignored)
                {
                    // the probe gave up first
                }
            });
            final String verdict = HealthProbe.run(check, LOOPBACK, server.getLocalPort());
            serve.interrupt();
            return verdict;
        }
    }

    @Test
    void anHttpCheckPassesOn2xxAnd3xxAndSaysWhyOtherwise() throws IOException
    {
        final AtomicReference<String> request = new AtomicReference<>();
        assertNull(probeAgainst("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTP, request));
        assertTrue(request.get().startsWith("GET /healthz HTTP/1.0\r\n"), request.get());
        assertNull(probeAgainst("HTTP/1.0 302 Found\r\n\r\n", HTTP, request));
        assertEquals("HTTP 503", probeAgainst("HTTP/1.1 503 Service Unavailable\r\n\r\n", HTTP, request));
        assertEquals("not an HTTP answer: who=b1 peer=1.2.3.4:5", probeAgainst("who=b1 peer=1.2.3.4:5\n", HTTP, request));
        assertEquals("no answer within 500 ms", probeAgainst(null, HTTP, request));
    }

    @Test
    void aTcpCheckPassesOnAnOpenPortAndFailsOnAClosedOne() throws IOException
    {
        assertNull(probeAgainst("", TCP, new AtomicReference<>()));
        final int closed;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closed = server.getLocalPort();
        }
        assertEquals("connection refused", HealthProbe.run(TCP, LOOPBACK, closed));
    }
}
