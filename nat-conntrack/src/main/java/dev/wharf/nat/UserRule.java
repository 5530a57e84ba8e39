package dev.wharf.nat;

/**
 * One user rule, checked in order when a connection is set up (the role of Docker's DOCKER-USER
 * chain); the first that matches decides, and a connection no rule matches is allowed. Packets of
 * established connections never see the rules. Routed connections are checked by ip4-user-rules,
 * connections between two ports of one network by l2-user-rules ({@link BridgedRulesNode}).
 *
 * @param allow           true to allow; false to deny (drop, counted) or, with {@code reject}, to reject.
 * @param source          source network address (with {@code sourcePrefix}; prefix 0 matches any).
 * @param sourcePrefix    0..32.
 * @param destination     destination network address.
 * @param destinationPrefix 0..32.
 * @param protocol        6, 17, 1, or 0 for any.
 * @param portFrom        first destination port matched (TCP/UDP), 0 with {@code portTo} 0 for any.
 * @param portTo          last destination port matched.
 * @param reject          (with {@code allow} false) answer instead of dropping: a TCP reset, for others an
 *                        ICMP unreachable, so the sender fails at once instead of timing out.
 */
public record UserRule(
    boolean allow, int source, int sourcePrefix, int destination, int destinationPrefix, int protocol, int portFrom, int portTo,
    boolean reject)
{
    /** What {@link #decide} answers when no rule matches. */
    public static final int NO_MATCH = 0;
    public static final int ALLOW = 1;
    public static final int DENY = 2;
    public static final int REJECT = 3;

    /** An allow or deny rule. */
    public UserRule(
        final boolean allow, final int source, final int sourcePrefix, final int destination, final int destinationPrefix,
        final int protocol, final int portFrom, final int portTo)
    {
        this(allow, source, sourcePrefix, destination, destinationPrefix, protocol, portFrom, portTo, false);
    }

    public UserRule
    {
        if (allow && reject)
        {
            throw new IllegalArgumentException("a rule allows or rejects, not both");
        }
    }

    public boolean matches(final int src, final int dst, final int proto, final int dstPort)
    {
        return inPrefix(src, source, sourcePrefix) && inPrefix(dst, destination, destinationPrefix) &&
            (protocol == 0 || protocol == proto) &&
            (portTo == 0 || (dstPort >= portFrom && dstPort <= portTo));
    }

    /** {@link #ALLOW}, {@link #DENY} or {@link #REJECT}. */
    public int action()
    {
        return allow ? ALLOW : reject ? REJECT : DENY;
    }

    /** The action of the first rule that matches, or {@link #NO_MATCH}. No allocation: the fast path calls it. */
    public static int decide(final UserRule[] rules, final int src, final int dst, final int proto, final int dstPort)
    {
        for (final UserRule rule : rules)
        {
            if (rule.matches(src, dst, proto, dstPort))
            {
                return rule.action();
            }
        }
        return NO_MATCH;
    }

    /** Whether a packet from one address of {@code network/prefix} to another could match this rule. */
    public boolean couldMatchWithin(final int network, final int prefix)
    {
        return overlaps(source, sourcePrefix, network, prefix) && overlaps(destination, destinationPrefix, network, prefix);
    }

    private static boolean overlaps(final int a, final int aPrefix, final int b, final int bPrefix)
    {
        final int shorter = Math.min(aPrefix, bPrefix);
        final int mask = shorter == 0 ? 0 : -1 << (32 - shorter);
        return ((a ^ b) & mask) == 0;
    }

    private static boolean inPrefix(final int address, final int network, final int prefix)
    {
        final int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (address & mask) == (network & mask);
    }
}
