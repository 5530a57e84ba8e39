package dev.wharf.control.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port arguments of {@code wharf publish}: {@code [HOSTIP:]HOSTPORT[/tcp|udp]} and
 * {@code IP:PORT}. Split here, checked by the daemon (addresses, ranges), so both ends say the same.
 *
 * @param ip       the address text, "" when none was given.
 * @param port     the port, as given (the daemon checks its range).
 * @param protocol "tcp", "udp", or "" when none was given.
 */
record HostPortArgument(String ip, long port, String protocol)
{
    private static final Pattern PUBLISHED = Pattern.compile("(?:([0-9.]+):)?(\\d{1,10})(?:/([A-Za-z]+))?");
    private static final Pattern BACKEND = Pattern.compile("([0-9.]+)(?::(\\d{1,10}))?");
    private static final Pattern ADDRESS_PORT = Pattern.compile("([0-9.]+):(\\d{1,10})");

    /** {@code [HOSTIP:]HOSTPORT[/PROTO]}. */
    static HostPortArgument published(final String text)
    {
        final Matcher m = PUBLISHED.matcher(text);
        if (!m.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid published port \"" + text + "\": expected [HOSTIP:]HOSTPORT[/tcp|udp], e.g. 8080/tcp");
        }
        return new HostPortArgument(m.group(1) == null ? "" : m.group(1), Long.parseLong(m.group(2)),
            m.group(3) == null ? "" : m.group(3).toLowerCase(java.util.Locale.ROOT));
    }

    /** {@code IP:PORT}. */
    static HostPortArgument container(final String text)
    {
        final Matcher m = ADDRESS_PORT.matcher(text);
        if (!m.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid container address \"" + text + "\": expected IP:PORT, e.g. 10.10.0.3:80");
        }
        return new HostPortArgument(m.group(1), Long.parseLong(m.group(2)), "");
    }

    /** {@code VIP:PORT[/PROTO]}: a virtual service of {@code wharf lb}. */
    static HostPortArgument service(final String text)
    {
        final Matcher m = PUBLISHED.matcher(text);
        if (!m.matches() || m.group(1) == null)
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid virtual service \"" + text + "\": expected VIP:PORT[/tcp|udp], e.g. 10.10.0.100:80/tcp");
        }
        return new HostPortArgument(m.group(1), Long.parseLong(m.group(2)), m.group(3) == null ? "" : m.group(3).toLowerCase(java.util.Locale.ROOT));
    }

    /** {@code IP[:PORT]}: a backend of {@code wharf lb}, port "0" (the service's) when none is given. */
    static HostPortArgument backend(final String text)
    {
        final Matcher m = BACKEND.matcher(text);
        if (!m.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid backend \"" + text + "\": expected IP[:PORT], e.g. 10.10.0.11:8080");
        }
        return new HostPortArgument(m.group(1), m.group(2) == null ? 0 : Long.parseLong(m.group(2)), "");
    }

    /** The service as the API names it. */
    dev.wharf.control.api.v1.ServiceAddress serviceAddress()
    {
        return dev.wharf.control.api.v1.ServiceAddress.newBuilder().setVip(ip).setPort(portField()).setProtocol(protocol).build();
    }

    /** The port as the API's uint32: out-of-range values stay out of range for the daemon to refuse. */
    int portField()
    {
        return (int)Math.min(port, 0xFFFF_FFFFL);
    }
}
