package dev.wharf.nat;

/**
 * One user rule, checked in order when a connection is set up (the role of Docker's DOCKER-USER
 * chain); the first that matches decides, and a connection no rule matches is allowed. Packets of
 * established connections never see the rules.
 *
 * @param allow           true to allow, false to deny (drop, counted).
 * @param source          source network address (with {@code sourcePrefix}; prefix 0 matches any).
 * @param sourcePrefix    0..32.
 * @param destination     destination network address.
 * @param destinationPrefix 0..32.
 * @param protocol        6, 17, 1, or 0 for any.
 * @param portFrom        first destination port matched (TCP/UDP), 0 with {@code portTo} 0 for any.
 * @param portTo          last destination port matched.
 */
public record UserRule(
    boolean allow, int source, int sourcePrefix, int destination, int destinationPrefix, int protocol, int portFrom, int portTo)
{
    public boolean matches(final int src, final int dst, final int proto, final int dstPort)
    {
        return inPrefix(src, source, sourcePrefix) && inPrefix(dst, destination, destinationPrefix) &&
            (protocol == 0 || protocol == proto) &&
            (portTo == 0 || (dstPort >= portFrom && dstPort <= portTo));
    }

    private static boolean inPrefix(final int address, final int network, final int prefix)
    {
        final int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (address & mask) == (network & mask);
    }
}
