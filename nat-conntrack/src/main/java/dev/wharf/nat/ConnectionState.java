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
    /**
     * Ended by the control plane (a load-balancer backend drained or removed, an uplink address gone):
     * the flow's next TCP segment is answered with a reset and the flow removed, so its ends learn at
     * once instead of waiting for their timeouts. Never reached from the wire.
     */
    public static final int RESET = 11;

    private static final int STATE_MASK = 0xF;
    /** Both directions have been seen. */
    public static final int FLAG_SEEN_REPLY = 1 << 4;
    /** The flow proved itself (handshake done, or UDP answered more than once): early drop spares it. */
    public static final int FLAG_ASSURED = 1 << 5;
    /** The reply direction sent the first FIN (so the original direction closes second). */
    public static final int FLAG_REPLY_CLOSED_FIRST = 1 << 6;
    /**
     * Direct server return: the original direction is routed, untranslated, to the backend of the flow's
     * mark ({@link VirtualServices#backendAddress}); the backend answers the client itself, so the reply
     * direction may never pass here. Such a flow starts established.
     */
    public static final int FLAG_ROUTED = 1 << 7;
    /**
     * The owner's mark sits in the word's top 16 bits (0: none): a load balancer's backend, so that
     * the owner learns when its flows are created and removed ({@link ConntrackTable.FlowListener}).
     * Kept through every state change.
     */
    public static final int MARK_SHIFT = 16;
    /** The largest mark: 15 bits, so that a state word stays positive (callers keep negative values for outcomes). */
    public static final int MAX_MARK = 0x7FFF;

    private static final String[] NAMES = {
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
        "UNREPLIED", "REPLIED", "RESET"
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

    /** The owner's mark of a state word, 0 for none. */
    public static int mark(final int word)
    {
        return word >>> MARK_SHIFT;
    }

    /** {@code word} carrying {@code mark} (1..{@value #MAX_MARK}, or 0 for none). */
    public static int withMark(final int word, final int mark)
    {
        return (word & ((1 << MARK_SHIFT) - 1)) | (mark << MARK_SHIFT);
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
