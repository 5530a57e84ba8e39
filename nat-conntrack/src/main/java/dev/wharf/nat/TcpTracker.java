package dev.wharf.nat;

/**
 * The TCP state machine of connection tracking (after Linux's nf_conntrack_proto_tcp, without
 * window tracking): the next state word from the current one, the direction and the segment's
 * flags. A pure function, so workers handling the two directions can apply it with compare-and-set.
 */
public final class TcpTracker
{
    /** Returned when the segment is not valid for the flow's state (e.g. a RST that opens nothing). */
    public static final int INVALID = -1;

    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;

    private TcpTracker()
    {
    }

    /**
     * @param word      the current state word ({@link ConnectionState}).
     * @param direction 0 original (the side that opened), 1 reply.
     * @param flags     the TCP flags byte.
     * @return the new state word, or {@link #INVALID}.
     */
    public static int next(final int word, final int direction, final int flags)
    {
        final int state = ConnectionState.of(word);
        final boolean reply = direction == 1;
        int flagsWord = word;
        if (reply)
        {
            flagsWord |= ConnectionState.FLAG_SEEN_REPLY;
        }
        if ((flags & RST) != 0)
        {
            return state == ConnectionState.NONE ? INVALID : ConnectionState.with(flagsWord, ConnectionState.CLOSE);
        }
        final boolean syn = (flags & SYN) != 0;
        final boolean ack = (flags & ACK) != 0;
        final boolean fin = (flags & FIN) != 0;
        switch (state)
        {
            case ConnectionState.NONE:
                if (syn && !ack && !reply)
                {
                    return ConnectionState.with(flagsWord, ConnectionState.SYN_SENT);
                }
                // picked up mid-stream (as nf_conntrack_tcp_loose does): trust an ACK from the opener
                return ack && !syn && !reply ? ConnectionState.with(flagsWord, ConnectionState.ESTABLISHED) : INVALID;
            case ConnectionState.SYN_SENT:
                if (reply && syn && ack)
                {
                    return ConnectionState.with(flagsWord, ConnectionState.SYN_RECV);
                }
                return !reply && syn ? flagsWord : INVALID;
            case ConnectionState.SYN_RECV:
                if (!reply && ack && !syn)
                {
                    return ConnectionState.with(flagsWord | ConnectionState.FLAG_ASSURED,
                        fin ? ConnectionState.FIN_WAIT : ConnectionState.ESTABLISHED);
                }
                return syn ? flagsWord : INVALID;
            case ConnectionState.ESTABLISHED:
                if (fin)
                {
                    final int closer = reply ? ConnectionState.FLAG_REPLY_CLOSED_FIRST : 0;
                    return ConnectionState.with(flagsWord | closer, ConnectionState.FIN_WAIT);
                }
                return syn && !ack ? INVALID : flagsWord;
            case ConnectionState.FIN_WAIT:
                if (isSecondCloser(word, reply))
                {
                    if (fin)
                    {
                        return ConnectionState.with(flagsWord, ConnectionState.LAST_ACK);
                    }
                    return ack ? ConnectionState.with(flagsWord, ConnectionState.CLOSE_WAIT) : flagsWord;
                }
                return flagsWord;
            case ConnectionState.CLOSE_WAIT:
                return fin && isSecondCloser(word, reply) ? ConnectionState.with(flagsWord, ConnectionState.LAST_ACK) : flagsWord;
            case ConnectionState.LAST_ACK:
                return ack && !isSecondCloser(word, reply) ? ConnectionState.with(flagsWord, ConnectionState.TIME_WAIT) : flagsWord;
            case ConnectionState.TIME_WAIT:
            case ConnectionState.CLOSE:
                if (syn && !ack && !reply)
                {
                    // the port is reused for a new connection
                    return ConnectionState.with(word & ~(ConnectionState.FLAG_REPLY_CLOSED_FIRST | ConnectionState.FLAG_ASSURED |
                        ConnectionState.FLAG_SEEN_REPLY), ConnectionState.SYN_SENT);
                }
                return flagsWord;
            default:
                return INVALID;
        }
    }

    private static boolean isSecondCloser(final int word, final boolean reply)
    {
        final boolean replyClosedFirst = (word & ConnectionState.FLAG_REPLY_CLOSED_FIRST) != 0;
        return reply != replyClosedFirst;
    }
}
