package dev.wharf.nat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpTrackerTest
{
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;
    private static final int ORIGINAL = 0;
    private static final int REPLY = 1;

    private static int step(final int word, final int direction, final int flags, final int expectedState)
    {
        final int next = TcpTracker.next(word, direction, flags);
        assertTrue(next >= 0, "valid transition from " + ConnectionState.name(word));
        assertEquals(ConnectionState.name(expectedState), ConnectionState.name(next));
        return next;
    }

    @Test
    void handshakeDataAndAClientCloseWalkTheLinuxStates()
    {
        int s = step(ConnectionState.NONE, ORIGINAL, SYN, ConnectionState.SYN_SENT);
        s = step(s, REPLY, SYN | ACK, ConnectionState.SYN_RECV);
        s = step(s, ORIGINAL, ACK, ConnectionState.ESTABLISHED);
        assertTrue(ConnectionState.isAssured(s), "a finished handshake is assured");
        s = step(s, REPLY, ACK, ConnectionState.ESTABLISHED);
        s = step(s, ORIGINAL, FIN | ACK, ConnectionState.FIN_WAIT);
        s = step(s, REPLY, ACK, ConnectionState.CLOSE_WAIT);
        s = step(s, REPLY, FIN | ACK, ConnectionState.LAST_ACK);
        step(s, ORIGINAL, ACK, ConnectionState.TIME_WAIT);
    }

    @Test
    void aServerCloseIsTrackedFromTheOtherSide()
    {
        int s = step(ConnectionState.NONE, ORIGINAL, SYN, ConnectionState.SYN_SENT);
        s = step(s, REPLY, SYN | ACK, ConnectionState.SYN_RECV);
        s = step(s, ORIGINAL, ACK, ConnectionState.ESTABLISHED);
        s = step(s, REPLY, FIN | ACK, ConnectionState.FIN_WAIT);
        s = step(s, REPLY, FIN | ACK, ConnectionState.FIN_WAIT); // a retransmitted FIN changes nothing
        s = step(s, ORIGINAL, FIN | ACK, ConnectionState.LAST_ACK);
        step(s, REPLY, ACK, ConnectionState.TIME_WAIT);
    }

    @Test
    void resetClosesAndAStrayResetOrSynAckOpensNothing()
    {
        int s = step(ConnectionState.NONE, ORIGINAL, SYN, ConnectionState.SYN_SENT);
        step(s, REPLY, RST | ACK, ConnectionState.CLOSE);
        assertEquals(TcpTracker.INVALID, TcpTracker.next(ConnectionState.NONE, ORIGINAL, RST));
        assertEquals(TcpTracker.INVALID, TcpTracker.next(ConnectionState.NONE, ORIGINAL, SYN | ACK));
        assertEquals(TcpTracker.INVALID, TcpTracker.next(ConnectionState.SYN_SENT, REPLY, ACK));
    }

    @Test
    void aMidStreamAckIsPickedUpAndTimeWaitReopensOnANewSyn()
    {
        step(ConnectionState.NONE, ORIGINAL, ACK, ConnectionState.ESTABLISHED);
        final int reopened = step(ConnectionState.with(ConnectionState.FLAG_ASSURED, ConnectionState.TIME_WAIT), ORIGINAL, SYN,
            ConnectionState.SYN_SENT);
        assertTrue(!ConnectionState.isAssured(reopened), "a reused port starts unassured");
    }

    @Test
    void timeoutsAreTheLinuxDefaults()
    {
        assertEquals(120_000, Timeouts.tcp(ConnectionState.SYN_SENT));
        assertEquals(432_000_000L, Timeouts.tcp(ConnectionState.ESTABLISHED));
        assertEquals(120_000, Timeouts.tcp(ConnectionState.TIME_WAIT));
        assertEquals(10_000, Timeouts.tcp(ConnectionState.CLOSE));
        assertEquals(30_000, Timeouts.UDP_UNREPLIED.millis());
    }
}
