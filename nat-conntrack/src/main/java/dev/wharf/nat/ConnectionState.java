package dev.wharf.nat;

/**
 * A flow's state word in {@link ConntrackTable}: the protocol state (TCP's states, or NEW /
 * REPLIED for UDP and ICMP) in the low bits, then flags. Plain ints, updated by compare-and-set.
 */
public final class ConnectionState
{
    public static final int NONE = 0;
    public static final int SYN_SENT = 1;
    public static final int SYN_RECV = 2;
    public static final int ESTABLISHED = 3;
    public static final int FIN_WAIT = 4;
    public static final int CLOSE_WAIT = 5;
    public static final int LAST_ACK = 6;
    public static final int TIME_WAIT = 7;
    public static final int CLOSE = 8;
    /** UDP, ICMP and other protocols: only seen in the original direction so far. */
    public static final int UNREPLIED = 9;
    /** UDP, ICMP and other protocols: traffic seen both ways. */
    public static final int REPLIED = 10;

    private static final int STATE_MASK = 0xF;
    /** Both directions have been seen. */
    public static final int FLAG_SEEN_REPLY = 1 << 4;
    /** The flow proved itself (handshake done, or UDP answered more than once): early drop spares it. */
    public static final int FLAG_ASSURED = 1 << 5;
    /** The reply direction sent the first FIN (so the original direction closes second). */
    public static final int FLAG_REPLY_CLOSED_FIRST = 1 << 6;

    private static final String[] NAMES = {
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
        "UNREPLIED", "REPLIED"
    };

    private ConnectionState()
    {
    }

    public static int of(final int word)
    {
        return word & STATE_MASK;
    }

    public static int with(final int word, final int newState)
    {
        return (word & ~STATE_MASK) | newState;
    }

    public static boolean isAssured(final int word)
    {
        return (word & FLAG_ASSURED) != 0;
    }

    public static String name(final int word)
    {
        final int s = of(word);
        return s < NAMES.length ? NAMES[s] : "UNKNOWN";
    }
}
