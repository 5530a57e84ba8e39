package dev.wharf.dns;

import java.util.List;
import java.util.Map;

/**
 * What one network's DNS server answers: its names (container names, aliases, service names), each with the
 * addresses it resolves to, and the reverse names of its addresses. Names are kept lowercase and absolute
 * ({@code "web-1."}). Immutable; the control plane publishes a new one on every change.
 *
 * @param network  the dataplane's network index.
 * @param name     the network's name, for listings.
 * @param internal an internal network's queries are answered locally only, never forwarded.
 * @param subnet   the network's subnet and prefix length: reverse lookups inside it are answered here (NXDOMAIN when
 *                 unknown) and never forwarded, as RFC 6303 asks of private address space.
 * @param names    absolute lowercase name to its entry.
 * @param reverse  an IPv4 address to the name its PTR record gives.
 */
public record NetworkNames(
    int network, String name, boolean internal, int subnet, int prefixLength, Map<String, Entry> names, Map<Integer, String> reverse)
{
    /** How a name resolves. */
    public enum Mode
    {
        /** To its addresses as given (a container's address; a service's VIP). */
        FIXED,
        /** To its addresses in turn, rotated on every answer (a service in DNS round-robin mode: its backends). */
        ROUND_ROBIN
    }

    /**
     * One name.
     *
     * @param name      absolute, lowercase.
     * @param addresses IPv4 addresses; empty for a service with no healthy backend (the name exists, with no address).
     * @param mode      how the addresses are given.
     * @param source    where the name comes from, for listings ("port veth-c1", "lb 10.10.0.100:80/tcp").
     * @param kind      "container", "alias" or "service".
     */
    public record Entry(String name, List<Integer> addresses, Mode mode, String source, String kind)
    {
        public Entry
        {
            addresses = List.copyOf(addresses);
        }
    }

    public NetworkNames
    {
        names = Map.copyOf(names);
        reverse = Map.copyOf(reverse);
    }

    public boolean contains(final int address)
    {
        final int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return (address & mask) == (subnet & mask);
    }
}
