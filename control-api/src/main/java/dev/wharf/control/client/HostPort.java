package dev.wharf.control.client;

/**
 * A TCP endpoint as people write it: {@code host:port}, {@code [v6-address]:port}. Parsed from the
 * daemon's {@code --listen} and the CLI's {@code --host}; the host stays a name so that TLS checks
 * the daemon's certificate against what the user typed. Immutable.
 */
public record HostPort(String host, int port)
{
    /**
     * Parses {@code text}; {@code option} names where it came from for the message.
     *
     * @throws IllegalArgumentException with a one-line message saying what form is expected.
     */
    public static HostPort parse(final String text, final String option)
    {
        final String expected = option + " \"" + text + "\": expected HOST:PORT, e.g. 127.0.0.1:9443 or [::1]:9443";
        final String host;
        final String port;
        if (text.startsWith("["))
        {
            final int close = text.indexOf("]:");
            if (close < 0)
            {
                throw new IllegalArgumentException(expected);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        }
        else
        {
            final int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon)
            {
                throw new IllegalArgumentException(expected);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535)
        {
            throw new IllegalArgumentException(expected);
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    @Override
    public String toString()
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
