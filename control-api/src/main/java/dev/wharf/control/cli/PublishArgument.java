package dev.wharf.control.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two arguments of {@code wharf publish add NETWORK CONTAINER -p PUBLISHED} read together, as Docker's {@code -p}:
 * {@code PUBLISHED} is {@code [HOSTIP:]HOSTPORT[-END][:CONTAINERPORT[-END]][/PROTO]} and {@code CONTAINER} is
 * {@code IP[:PORT[-END]]}. The container's port may be given in either place (the same in both, if in both); given in
 * neither, it is the host port, as Docker's {@code -p 80} publishes the container's port 80. A range maps each host port
 * to the container port at the same offset, so both ranges must have the same length. Split here, checked by the daemon
 * (addresses, port bounds, protocols), so both ends say the same.
 *
 * @param containerIp   the container's address text.
 * @param containerPort the first container port.
 * @param hostIp        the host address text, "" for every host address.
 * @param hostPort      the first host port.
 * @param count         how many consecutive ports, 1 for one.
 * @param protocol      the protocol text, "" when none was given.
 */
record PublishArgument(String containerIp, long containerPort, String hostIp, long hostPort, int count, String protocol)
{
    private static final String RANGE = "(\\d{1,10})(?:-(\\d{1,10}))?";
    private static final Pattern CONTAINER = Pattern.compile("([0-9.]+)(?::" + RANGE + ")?");
    private static final Pattern PORTS = Pattern.compile(RANGE);
    private static final Pattern PROTOCOL = Pattern.compile("[A-Za-z0-9]+");
    private static final String PUBLISHED_FORM = "[HOSTIP:]HOSTPORT[:CONTAINERPORT][/tcp|udp], e.g. 8080:80/tcp or 8093-8095";

    /** Reads {@code CONTAINER} and {@code -p PUBLISHED}; refuses what no daemon could accept with a usage error. */
    static PublishArgument parse(final String container, final String published)
    {
        if (isIpv6(container))
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid container address \"" + container + "\": IPv6 is not supported yet");
        }
        final Matcher c = CONTAINER.matcher(container);
        if (!c.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid container address \"" + container + "\": expected IP[:PORT], e.g. 10.10.0.3:80");
        }
        final long[] containerSide = c.group(2) == null ? null : range(c.group(2), c.group(3), container);

        String text = published;
        String protocol = "";
        final int slash = text.lastIndexOf('/');
        if (slash >= 0)
        {
            protocol = text.substring(slash + 1);
            text = text.substring(0, slash);
            if (!PROTOCOL.matcher(protocol).matches())
            {
                throw new CliFailure(ExitCodes.USAGE, "invalid published port \"" + published + "\": the protocol after '/' is tcp or udp");
            }
            protocol = protocol.toLowerCase(Locale.ROOT);
        }
        if (text.startsWith("[") || text.chars().filter(ch -> ch == ':').count() > 2)
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid published port \"" + published + "\": IPv6 is not supported yet");
        }
        final String[] parts = text.split(":", -1);
        final String hostIp;
        final String hostPorts;
        final String containerPorts;
        if (parts.length == 1)
        {
            hostIp = "";
            hostPorts = parts[0];
            containerPorts = null;
        }
        else if (parts.length == 2 && parts[0].contains("."))
        {
            // the form wharf has always taken: HOSTIP:HOSTPORT
            hostIp = parts[0];
            hostPorts = parts[1];
            containerPorts = null;
        }
        else if (parts.length == 2)
        {
            hostIp = "";
            hostPorts = parts[0];
            containerPorts = parts[1];
        }
        else
        {
            hostIp = parts[0];
            hostPorts = parts[1];
            containerPorts = parts[2];
        }
        if (!hostIp.isEmpty() && !hostIp.matches("[0-9.]+"))
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid published port \"" + published + "\": \"" + hostIp +
                "\" is not an IPv4 address; expected " + PUBLISHED_FORM);
        }
        final long[] hostSide = ports(hostPorts, published);
        final long[] fromPublished = containerPorts == null ? null : ports(containerPorts, published);
        if (containerSide != null && fromPublished != null &&
            (containerSide[0] != fromPublished[0] || containerSide[1] != fromPublished[1]))
        {
            throw new CliFailure(ExitCodes.USAGE, "the container port is given twice and differs: " + text(containerSide) + " in \"" +
                container + "\", " + text(fromPublished) + " in -p \"" + published + "\"; give it once");
        }
        final long[] target = containerSide != null ? containerSide : fromPublished != null ? fromPublished : hostSide;
        final long hostCount = hostSide[1] - hostSide[0] + 1;
        final long targetCount = target[1] - target[0] + 1;
        if (hostCount != targetCount)
        {
            throw new CliFailure(ExitCodes.USAGE, "host ports " + text(hostSide) + " and container ports " + text(target) +
                " differ in length (" + hostCount + " and " + targetCount + "): each host port maps to one container port");
        }
        return new PublishArgument(c.group(1), target[0], hostIp, hostSide[0], (int)hostCount, protocol);
    }

    private static long[] ports(final String text, final String published)
    {
        final Matcher m = PORTS.matcher(text);
        if (!m.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid published port \"" + published + "\": expected " + PUBLISHED_FORM);
        }
        return range(m.group(1), m.group(2), published);
    }

    private static long[] range(final String from, final String to, final String given)
    {
        final long first = Long.parseLong(from);
        final long last = to == null ? first : Long.parseLong(to);
        if (last < first)
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid port range " + first + "-" + last + " in \"" + given + "\": the range must ascend");
        }
        if (last - first >= 65_535)
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid port range " + first + "-" + last + " in \"" + given + "\": ports are 1..65535");
        }
        return new long[] {first, last};
    }

    private static String text(final long[] range)
    {
        return range[0] == range[1] ? Long.toString(range[0]) : range[0] + "-" + range[1];
    }

    /** True for text that can only be an IPv6 address (two colons, or brackets): said as such, not as a malformed IPv4 one. */
    static boolean isIpv6(final String text)
    {
        return text.startsWith("[") || text.indexOf(':') != text.lastIndexOf(':');
    }

    /** A port as the API's uint32: out-of-range values stay out of range for the daemon to refuse. */
    static int field(final long port)
    {
        return (int)Math.min(port, 0xFFFF_FFFFL);
    }
}
