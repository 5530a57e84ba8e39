package dev.wharf.control.metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The value of {@code wharf daemon --metrics}: {@code off}, or {@code HOST:PORT} ({@code [::1]:9464}
 * for IPv6) where the metrics HTTP server listens. The default is loopback; any other address is
 * the user's explicit choice and is allowed. Parsed once on the main thread at start.
 */
public final class MetricsAddress
{
    public static final String OFF = "off";
    public static final String DEFAULT = "127.0.0.1:9464";

    private MetricsAddress()
    {
    }

    /**
     * Parses {@code text}.
     *
     * @return the address to bind, or null for {@code off}.
     * @throws IllegalArgumentException with a one-line message when {@code text} is neither.
     */
    public static InetSocketAddress parse(final String text)
    {
        if (OFF.equalsIgnoreCase(text))
        {
            return null;
        }
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw invalid(text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.indexOf(':') >= 0)
        {
            throw invalid(text); // a bare IPv6 address is ambiguous with its port: it needs brackets
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw invalid(text);
        }
        if (host.isEmpty() || port < 0 || port > 65_535)
        {
            throw invalid(text);
        }
        try
        {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException("--metrics " + text + ": unknown host " + host);
        }
    }

    private static IllegalArgumentException invalid(final String text)
    {
        return new IllegalArgumentException("--metrics " + text + ": expected HOST:PORT (e.g. " + DEFAULT + ") or " + OFF);
    }
}
