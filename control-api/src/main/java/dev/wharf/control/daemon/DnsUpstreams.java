package dev.wharf.control.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's {@code --dns-upstream}: a comma-separated list of IPv4 resolvers ({@code ADDRESS[:PORT]}, port 53 by
 * default), {@code none} to forward nothing, or by default the {@code nameserver} lines of the host's
 * {@code /etc/resolv.conf} (its IPv4 ones: the forwarder's socket is IPv4 for now).
 */
public final class DnsUpstreams
{
    public static final String HOST_RESOLVERS = "host";
    public static final String NONE = "none";
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final Pattern UPSTREAM = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?");
    private static final Pattern NAMESERVER = Pattern.compile("^\\s*nameserver\\s+(\\S+)");

    private DnsUpstreams()
    {
    }

    /** Parses {@code text}; throws IllegalArgumentException with the user's mistake named. */
    public static List<InetSocketAddress> parse(final String text, final Path resolvConf)
    {
        if (text.equals(NONE))
        {
            return List.of();
        }
        if (text.equals(HOST_RESOLVERS))
        {
            return fromResolvConf(resolvConf);
        }
        final List<InetSocketAddress> upstreams = new ArrayList<>();
        for (final String item : text.split(",", -1))
        {
            final Matcher m = UPSTREAM.matcher(item.trim());
            if (!m.matches() || !isAddress(m.group(1)) || m.group(2) != null && !isPort(m.group(2)))
            {
                throw new IllegalArgumentException("invalid DNS upstream \"" + item + "\": expected IPv4[:PORT] (e.g. 1.1.1.1 or 10.0.0.2:5353), " +
                    "a comma-separated list of them, \"" + HOST_RESOLVERS + "\" or \"" + NONE + "\"");
            }
            upstreams.add(new InetSocketAddress(m.group(1), m.group(2) == null ? 53 : Integer.parseInt(m.group(2))));
        }
        return upstreams;
    }

    /** The IPv4 nameservers of {@code resolvConf}; none when it is missing or lists none. */
    static List<InetSocketAddress> fromResolvConf(final Path resolvConf)
    {
        final List<InetSocketAddress> upstreams = new ArrayList<>();
        try
        {
            for (final String line : Files.readAllLines(resolvConf))
            {
                final Matcher m = NAMESERVER.matcher(line);
                if (m.find() && UPSTREAM.matcher(m.group(1)).matches() && isAddress(m.group(1)))
                {
                    upstreams.add(new InetSocketAddress(m.group(1), 53));
                }
            }
        }
        catch (final IOException e)
        {
            return List.of();
        }
        return upstreams;
    }

    private static boolean isAddress(final String dotted)
    {
        for (final String octet : dotted.split("\\."))
        {
            if (Integer.parseInt(octet) > 255 || octet.length() > 1 && octet.startsWith("0"))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isPort(final String port)
    {
        final int value = Integer.parseInt(port);
        return value >= 1 && value <= 65_535;
    }
}
