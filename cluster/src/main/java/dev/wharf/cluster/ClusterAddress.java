package dev.wharf.cluster;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the cluster store is: {@code etcd://HOST:PORT[,HOST:PORT...]}, etcd's client endpoints
 * (its default port 2379 when none is given). Parsed once at start-up; a bad address is refused with
 * what was expected.
 */
public record ClusterAddress(List<String> endpoints)
{
    public static final String SCHEME = "etcd://";
    public static final int DEFAULT_PORT = 2379;

    public ClusterAddress
    {
        endpoints = List.copyOf(endpoints);
    }

    /** Parses {@code text}; IllegalArgumentException says what is wrong. */
    public static ClusterAddress parse(final String text)
    {
        if (text == null || !text.startsWith(SCHEME) || text.length() == SCHEME.length())
        {
            throw new IllegalArgumentException("cluster store " + quoted(text) + ": expected " + SCHEME + "HOST:PORT[,HOST:PORT...]");
        }
        final List<String> endpoints = new ArrayList<>();
        for (final String part : text.substring(SCHEME.length()).split(",", -1))
        {
            endpoints.add(endpoint(text, part));
        }
        return new ClusterAddress(endpoints);
    }

    private static String endpoint(final String text, final String part)
    {
        if (part.isEmpty() || part.contains("/") || part.contains("@"))
        {
            throw new IllegalArgumentException("cluster store " + quoted(text) + ": " + quoted(part) + " is not HOST:PORT");
        }
        final int colon = part.lastIndexOf(':');
        final String host = colon < 0 ? part : part.substring(0, colon);
        final int port;
        try
        {
            port = colon < 0 ? DEFAULT_PORT : Integer.parseInt(part.substring(colon + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("cluster store " + quoted(text) + ": " + quoted(part.substring(colon + 1)) + " is not a port");
        }
        if (host.isEmpty() || port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("cluster store " + quoted(text) + ": " + quoted(part) + " is not HOST:PORT (port 1 to 65535)");
        }
        return host + ":" + port;
    }

    /** The endpoints as URIs of the client: https when the connection is secured. */
    public List<URI> uris(final boolean tls)
    {
        return endpoints.stream().map(e -> URI.create((tls ? "https://" : "http://") + e)).toList();
    }

    @Override
    public String toString()
    {
        return SCHEME + String.join(",", endpoints);
    }

    private static String quoted(final String text)
    {
        return "\"" + text + "\"";
    }
}
