package dev.wharf.nat;

/**
 * How long a flow lives in each state without traffic: the Linux defaults
 * ({@code net.netfilter.nf_conntrack_*_timeout*}), in milliseconds.
 */
public enum Timeouts
{
    TCP_SYN_SENT(120_000),
    TCP_SYN_RECV(60_000),
    TCP_ESTABLISHED(432_000_000L),
    TCP_FIN_WAIT(120_000),
    TCP_CLOSE_WAIT(60_000),
    TCP_LAST_ACK(30_000),
    TCP_TIME_WAIT(120_000),
    TCP_CLOSE(10_000),
    UDP_UNREPLIED(30_000),
    UDP_STREAM(120_000),
    ICMP(30_000),
    GENERIC(600_000);

    private final long millis;

    Timeouts(final long millis)
    {
        this.millis = millis;
    }

    public long millis()
    {
        return millis;
    }

    private static final long[] TCP_BY_STATE = {
        TCP_SYN_SENT.millis, TCP_SYN_SENT.millis, TCP_SYN_RECV.millis, TCP_ESTABLISHED.millis, TCP_FIN_WAIT.millis,
        TCP_CLOSE_WAIT.millis, TCP_LAST_ACK.millis, TCP_TIME_WAIT.millis, TCP_CLOSE.millis
    };

    /** The timeout of a TCP flow in {@code state} (a {@link ConnectionState} value). */
    public static long tcp(final int state)
    {
        return state < TCP_BY_STATE.length ? TCP_BY_STATE[state] : TCP_CLOSE.millis;
    }

    /** The timeout of a flow of {@code protocol} in state word {@code word} ({@link ConnectionState}). */
    public static long of(final int protocol, final int word)
    {
        final int state = ConnectionState.of(word);
        switch (protocol)
        {
            case 6:
                return tcp(state);
            case 17:
                return state == ConnectionState.REPLIED ? UDP_STREAM.millis : UDP_UNREPLIED.millis;
            case 1:
                return ICMP.millis;
            default:
                return GENERIC.millis;
        }
    }
}
