package dev.wharf.control.server;

import dev.wharf.control.state.LbSection;
import dev.wharf.dataplane.protocol.Ipv4Address;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One probe of a backend, as keepalived's TCP_CHECK and HTTP_GET do it: a TCP connect, or a GET whose
 * status line must say 2xx or 3xx, within the check's timeout. From the host's own stack: the backend is
 * reached through host access. Blocking; run on a virtual thread.
 */
final class HealthProbe
{
    private static final int STATUS_LINE_MAX = 256;

    private HealthProbe()
    {
    }

    /** @return null when the backend passed, else why not ("connection refused", "HTTP 503", ...). */
    static String run(final LbSection.Health health, final int address, final int port)
    {
        final String endpoint = Ipv4Address.toString(address) + ":" + port;
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(InetAddress.getByAddress(bytes(address)), port), health.timeoutMs());
            if (!health.kind().equals(LbSection.Health.HTTP))
            {
                return null;
            }
            socket.setSoTimeout(health.timeoutMs());
            socket.getOutputStream().write(("GET " + health.path() + " HTTP/1.0\r\nHost: " + endpoint +
                "\r\nUser-Agent: wharf-health-check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return verdict(statusLine(socket.getInputStream()));
        }
        catch (final SocketTimeoutException e)
        {
            return "no answer within " + health.timeoutMs() + " ms";
        }
        catch (final ConnectException e)
        {
            return "connection refused";
        }
        catch (final IOException e)
        {
            return e.getMessage() == null ? e.getClass().getSimpleName() : Inputs.oneLine(e.getMessage());
        }
    }

    /** null for "HTTP/1.x 2xx|3xx ...", else what was wrong with the status line. */
    static String verdict(final String statusLine)
    {
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}"))
        {
            return "not an HTTP answer: " + (statusLine.isEmpty() ? "(nothing)" : statusLine);
        }
        final int code = Integer.parseInt(parts[1]);
        return code >= 200 && code < 400 ? null : "HTTP " + code;
    }

    private static String statusLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n' && line.length() < STATUS_LINE_MAX; b = in.read())
        {
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        return line.toString();
    }

    private static byte[] bytes(final int address)
    {
        return new byte[]{(byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address};
    }
}
