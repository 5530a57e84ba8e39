package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.util.regex.Pattern;

/**
 * Turns the text of API requests into typed values, refusing malformed text with
 * {@link ControlException.Reason#INVALID_ARGUMENT} and a message that quotes what was given.
 * Also the range checks every controller shares ({@link #checkInside}, {@link #checkPort}).
 * Stateless; any thread. Checks that need the current state live in the controllers.
 */
public final class Inputs
{
    public static final int VLAN_MIN = 1;
    public static final int VLAN_MAX = 4094;
    public static final int NETWORK_PREFIX_MIN = 1;
    /** /31 and /32 leave no address for a container beside the gateway. */
    public static final int NETWORK_PREFIX_MAX = 30;
    /** How much of a value a message quotes. */
    public static final int QUOTE_MAX_CHARS = 100;

    /** Names of networks and services: 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** Linux interface names: at most IFNAMSIZ - 1 = 15 bytes, no '/' or whitespace; '.' and '..' excluded. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");
    private static final Pattern DOTTED = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** An octet of two or more digits starting with 0 ("010", "00"). */
    private static final Pattern LEADING_ZERO = Pattern.compile("(^|\\.)0\\d");

    private Inputs()
    {
    }

    public static String networkName(final String name)
    {
        if (name.isEmpty())
        {
            throw ControlException.invalid("network name is required");
        }
        return name(name, "network");
    }

    /** Checks a non-empty name of a {@code what} (a network, a service) against the names' rule. */
    public static String name(final String name, final String what)
    {
        if (!NAME.matcher(name).matches())
        {
            throw ControlException.invalid("invalid " + what + " name " + quote(name) +
                ": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** The most DNS names one port may have (its name and aliases). */
    public static final int MAX_DNS_NAMES = 16;
    private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    /**
     * Checks a name the DNS server is to answer for (a container's name or alias, a service's name): labels of 1 to 63
     * letters, digits and '-' (not first or last), dots between them, 253 characters at most (RFC 1123 2.1 host names).
     */
    public static String dnsName(final String name, final String what)
    {
        final String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        boolean valid = !bare.isEmpty() && bare.length() <= 253;
        for (final String label : bare.split("\\.", -1))
        {
            valid &= DNS_LABEL.matcher(label).matches();
        }
        if (!valid)
        {
            throw ControlException.invalid("invalid " + what + " " + quote(name) +
                ": a DNS name is labels of 1 to 63 letters, digits and '-' (not first or last), joined by dots, 253 characters at most");
        }
        return bare;
    }

    /** Refuses an address that is no host's: 0.0.0.0, loopback, multicast and above. */
    public static void checkUnicastHost(final int address, final String what)
    {
        final int first = address >>> 24;
        if (address == 0 || first == 127 || first >= 224)
        {
            throw ControlException.invalid(what + " " + Ipv4Address.toString(address) + " is not a unicast address of a host");
        }
    }

    public static String interfaceName(final String name)
    {
        if (name.isEmpty())
        {
            throw ControlException.invalid("interface name is required");
        }
        if (!INTERFACE_NAME.matcher(name).matches())
        {
            throw ControlException.invalid("invalid interface name " + quote(name) +
                ": use 1 to 15 letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    /** Parses {@code a.b.c.d/n}: host bits zero, a prefix a network can use, not a reserved range. */
    public static Cidr subnet(final String text)
    {
        if (text.isEmpty())
        {
            throw ControlException.invalid("subnet is required (e.g. 10.10.0.0/24)");
        }
        refuseIpv6(text, "subnet");
        final int slash = text.indexOf('/');
        if (slash < 0 || !DOTTED.matcher(text.substring(0, slash)).matches() || !text.substring(slash + 1).matches("\\d{1,2}"))
        {
            throw ControlException.invalid("invalid subnet " + quote(text) + ": expected CIDR like 10.10.0.0/24");
        }
        final int address = ipv4(text.substring(0, slash), "subnet " + quote(text));
        final int prefixLength = Integer.parseInt(text.substring(slash + 1));
        checkNetworkPrefix(prefixLength, text);
        final int network = address & Ipv4Address.mask(prefixLength);
        if (network != address)
        {
            throw ControlException.invalid("invalid subnet " + quote(text) + ": host bits set (did you mean " +
                Ipv4Address.toString(network) + "/" + prefixLength + "?)");
        }
        return checkSubnet(new Cidr(network, prefixLength), text);
    }

    /** Refuses a subnet no network may have (a prefix outside 1..30, a reserved range): {@link #subnet}'s checks of a parsed one. */
    public static Cidr checkSubnet(final Cidr subnet)
    {
        checkNetworkPrefix(subnet.prefixLength(), subnet.toString());
        return checkSubnet(subnet, subnet.toString());
    }

    private static Cidr checkSubnet(final Cidr subnet, final String text)
    {
        final int firstOctet = subnet.network() >>> 24;
        if (firstOctet == 0 || firstOctet == 127 || firstOctet >= 224)
        {
            throw ControlException.invalid("invalid subnet " + quote(text) + ": 0.0.0.0/8, loopback, multicast and reserved addresses cannot be a network");
        }
        return subnet;
    }

    private static void checkNetworkPrefix(final int prefixLength, final String text)
    {
        if (prefixLength < NETWORK_PREFIX_MIN || prefixLength > NETWORK_PREFIX_MAX)
        {
            throw ControlException.invalid("invalid subnet " + quote(text) + ": prefix length must be " +
                NETWORK_PREFIX_MIN + " to " + NETWORK_PREFIX_MAX);
        }
    }

    /** Parses a dotted IPv4 address (no prefix); {@code what} names the field in the message. */
    public static int ipv4(final String text, final String what)
    {
        if (text.indexOf(':') >= 0)
        {
            throw ControlException.invalid("invalid " + what + ": " + quote(text) + " is an IPv6 address; IPv6 is not supported yet");
        }
        if (!DOTTED.matcher(text).matches())
        {
            throw ControlException.invalid("invalid " + what + ": " + quote(text) + " is not an IPv4 address");
        }
        if (LEADING_ZERO.matcher(text).find())
        {
            // inet_aton and the tools built on it read 010 as octal 8, we would read 10: neither guess is safe
            throw ControlException.invalid("invalid " + what + ": " + quote(text) + " has an octet with a leading zero" +
                " (some tools read it as octal); write the octets in decimal without leading zeros");
        }
        try
        {
            return Ipv4Address.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw ControlException.invalid("invalid " + what + ": " + quote(text) + " is not an IPv4 address");
        }
    }

    /** Parses a port's MAC: six hex pairs, unicast, not all zeros. */
    public static long portMac(final String text)
    {
        final long mac;
        try
        {
            if (!text.matches("\\p{XDigit}{2}([:-]\\p{XDigit}{2}){5}"))
            {
                throw new IllegalArgumentException(text);
            }
            mac = MacAddress.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw ControlException.invalid("invalid MAC address " + quote(text) + ": expected aa:bb:cc:dd:ee:ff");
        }
        if (mac == PortSpec.NO_MAC)
        {
            throw ControlException.invalid("invalid MAC address " + quote(text) + ": all zeros");
        }
        if (MacAddress.isMulticast(mac))
        {
            throw ControlException.invalid("invalid MAC address " + quote(text) + ": multicast; a port's MAC must be unicast");
        }
        return mac;
    }

    public static int vlan(final long vid)
    {
        if (vid < VLAN_MIN || vid > VLAN_MAX)
        {
            throw ControlException.invalid("VLAN " + vid + " is out of range " + VLAN_MIN + ".." + VLAN_MAX);
        }
        return (int)vid;
    }

    /** {@code text} in quotes for a message; beyond {@value #QUOTE_MAX_CHARS} characters cut, with its length, so a refusal stays short. */
    public static String quote(final String text)
    {
        if (text.length() > QUOTE_MAX_CHARS)
        {
            return "\"" + text.substring(0, QUOTE_MAX_CHARS) + "...\" (" + text.length() + " characters)";
        }
        return "\"" + text + "\"";
    }

    /** Parses {@code a.b.c.d/n} where the address is a host's (host bits set), prefix 1..30: the uplink address. */
    public static int[] hostAddress(final String text, final String what)
    {
        if (text.isEmpty())
        {
            throw ControlException.invalid(what + " is required (e.g. 10.99.0.2/24)");
        }
        refuseIpv6(text, what);
        final int slash = text.indexOf('/');
        if (slash < 0 || !text.substring(slash + 1).matches("\\d{1,2}"))
        {
            throw ControlException.invalid("invalid " + what + " " + quote(text) + ": expected an address with its prefix, like 10.99.0.2/24");
        }
        final int address = ipv4(text.substring(0, slash), what);
        final int prefixLength = Integer.parseInt(text.substring(slash + 1));
        checkHostPrefix(prefixLength, what + " " + quote(text));
        return new int[] {address, prefixLength};
    }

    /** Refuses a host address's prefix outside 1..30; {@code what} names the address in the message. */
    public static void checkHostPrefix(final int prefixLength, final String what)
    {
        if (prefixLength < NETWORK_PREFIX_MIN || prefixLength > NETWORK_PREFIX_MAX)
        {
            throw ControlException.invalid("invalid " + what + ": prefix length must be " + NETWORK_PREFIX_MIN + " to " + NETWORK_PREFIX_MAX);
        }
    }

    /** Parses a prefix for a rule: {@code a.b.c.d/n} (host bits must be zero), a bare address (/32), or "" for any. */
    public static Cidr prefix(final String text, final String what)
    {
        if (text.isEmpty() || "any".equals(text))
        {
            return new Cidr(0, 0);
        }
        refuseIpv6(text, what);
        final int slash = text.indexOf('/');
        final String address = slash < 0 ? text : text.substring(0, slash);
        if (slash >= 0 && !text.substring(slash + 1).matches("\\d{1,2}"))
        {
            throw ControlException.invalid("invalid " + what + " " + quote(text) + ": expected CIDR like 10.10.0.0/24");
        }
        final int ip = ipv4(address, what);
        final int prefixLength = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1));
        if (prefixLength > 32)
        {
            throw ControlException.invalid("invalid " + what + " " + quote(text) + ": prefix length must be 0 to 32");
        }
        final int network = ip & Ipv4Address.mask(prefixLength);
        if (network != ip)
        {
            throw ControlException.invalid("invalid " + what + " " + quote(text) + ": host bits set (did you mean " +
                Ipv4Address.toString(network) + "/" + prefixLength + "?)");
        }
        return new Cidr(network, prefixLength);
    }

    /** Parses "tcp", "udp", "icmp", "any" (or "" when {@code empty} stands for it). */
    public static dev.wharf.control.state.Protocol protocol(final String text, final dev.wharf.control.state.Protocol empty)
    {
        if (text.isEmpty())
        {
            return empty;
        }
        final dev.wharf.control.state.Protocol protocol = dev.wharf.control.state.Protocol.byLabel(text.toLowerCase(java.util.Locale.ROOT));
        if (protocol == null)
        {
            throw ControlException.invalid("invalid protocol " + quote(text) + ": use tcp, udp, icmp or any");
        }
        return protocol;
    }

    /** Parses "tcp" or "udp" (or "" when {@code empty} stands for it): the protocols with ports, which published ports and services take. */
    public static dev.wharf.control.state.Protocol portProtocol(final String text, final dev.wharf.control.state.Protocol empty)
    {
        final dev.wharf.control.state.Protocol protocol = text.isEmpty() ? empty :
            dev.wharf.control.state.Protocol.byLabel(text.toLowerCase(java.util.Locale.ROOT));
        if (protocol == null || !protocol.hasPorts())
        {
            throw ControlException.invalid("invalid protocol " + quote(text) + ": use tcp or udp");
        }
        return protocol;
    }

    /** Refuses IPv6 text (it has a ':') with a message that says so, rather than one about the IPv4 form expected. */
    private static void refuseIpv6(final String text, final String what)
    {
        if (text.indexOf(':') >= 0)
        {
            throw ControlException.invalid("invalid " + what + " " + quote(text) + ": IPv6 is not supported yet");
        }
    }

    /** Parses "25" or "8000-8100" into {from, to}; "" is {0, 0} (any). */
    public static int[] portRange(final String text)
    {
        if (text.isEmpty())
        {
            return new int[] {0, 0};
        }
        if (!text.matches("\\d{1,5}(-\\d{1,5})?"))
        {
            throw ControlException.invalid("invalid port " + quote(text) + ": expected a port like 25 or a range like 8000-8100");
        }
        final int dash = text.indexOf('-');
        final int from = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
        final int to = dash < 0 ? from : Integer.parseInt(text.substring(dash + 1));
        if (from < 1 || to > 65_535 || from > to)
        {
            throw ControlException.invalid("invalid port " + quote(text) + ": ports are 1..65535, the range ascending");
        }
        return new int[] {from, to};
    }

    /** Refuses {@code address} unless it is a host address of {@code subnet}; {@code what} names it in the message. */
    public static void checkInside(final Cidr subnet, final int address, final String what)
    {
        if (!subnet.contains(address))
        {
            throw ControlException.invalid(what + " is outside the subnet " + subnet);
        }
        if (address == subnet.network())
        {
            throw ControlException.invalid(what + " is the network address of " + subnet);
        }
        if (address == subnet.broadcast())
        {
            throw ControlException.invalid(what + " is the broadcast address of " + subnet);
        }
    }

    /** Refuses a TCP/UDP port outside 1..65535; {@code what} names it in the message. */
    public static void checkPort(final int port, final String what)
    {
        if (port < 1 || port > 65_535)
        {
            throw ControlException.invalid(what + " " + Integer.toUnsignedString(port) + " is out of range 1..65535");
        }
    }

    /** A failure's message on one line, as the API's statuses carry it. */
    public static String oneLine(final String message)
    {
        return message == null ? "unknown error" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
