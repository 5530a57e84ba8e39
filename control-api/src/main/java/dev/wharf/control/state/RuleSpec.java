package dev.wharf.control.state;

/**
 * A user rule as desired: allow, deny or reject new connections from {@code source} to {@code destination}
 * with a protocol and destination ports. Immutable; any thread.
 *
 * @param id       given by the control plane, unique in the state.
 * @param portFrom first destination port, 0 (with {@code portTo} 0) for any.
 * @param portTo   last destination port.
 * @param reject   (with {@code allow} false) answer with a TCP reset or an ICMP unreachable instead of dropping.
 */
public record RuleSpec(long id, boolean allow, Cidr source, Cidr destination, Protocol protocol, int portFrom, int portTo, boolean reject)
{
    /** An allow or deny rule. */
    public RuleSpec(final long id, final boolean allow, final Cidr source, final Cidr destination, final Protocol protocol,
        final int portFrom, final int portTo)
    {
        this(id, allow, source, destination, protocol, portFrom, portTo, false);
    }

    public RuleSpec
    {
        if (allow && reject)
        {
            throw new IllegalArgumentException("a rule allows or rejects, not both");
        }
    }

    /** The rule with action {@code action} ("allow", "deny", "reject"), or null for another word. */
    public static RuleSpec of(final String action, final long id, final Cidr source, final Cidr destination, final Protocol protocol,
        final int portFrom, final int portTo)
    {
        return switch (action)
        {
            case "allow" -> new RuleSpec(id, true, source, destination, protocol, portFrom, portTo, false);
            case "deny" -> new RuleSpec(id, false, source, destination, protocol, portFrom, portTo, false);
            case "reject" -> new RuleSpec(id, false, source, destination, protocol, portFrom, portTo, true);
            default -> null;
        };
    }

    /** "25", "8000-8100", or "" for any. */
    public String portsText()
    {
        if (portTo == 0)
        {
            return "";
        }
        return portFrom == portTo ? Integer.toString(portFrom) : portFrom + "-" + portTo;
    }

    public String action()
    {
        return allow ? "allow" : reject ? "reject" : "deny";
    }

    @Override
    public String toString()
    {
        return "#" + id + " " + action() + " " + source + " -> " + destination + " " + protocol.label() +
            (portTo == 0 ? "" : " port " + portsText());
    }
}
