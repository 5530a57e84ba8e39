package dev.wharf.dataplane.punt;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The layout of one message on a {@link PuntChannel}'s rings: a fixed header, then the whole Ethernet frame
 * (VLAN tag stripped, as the pipeline holds it). A punted message says where the frame came from, an injected
 * one where it goes. Field offsets are from the message start; the frame starts at {@link #FRAME}, 8-aligned.
 */
public final class PuntMessage
{
    /** Punted: the port the frame arrived on. Injected: the port it leaves by. */
    public static final int PORT = 0;
    /** The network index of that port. */
    public static final int NETWORK = 4;
    /** The VLAN the frame belongs to (0: untagged). */
    public static final int VLAN = 8;
    /** The peer within a port that reaches many (a tunnel's remote VTEP); 0 for none (see PacketBatch.portPeer). */
    public static final int PEER = 12;
    /** Punted only: the offsets of the L3 and L4 headers in the frame, as ip4-input recorded them. */
    public static final int L3_OFFSET = 16;
    public static final int L4_OFFSET = 20;
    public static final int FRAME_LENGTH = 24;
    public static final int FRAME = 32;

    /** The largest frame either ring carries: a query or a TCP segment of an MSS, with room to spare. */
    public static final int MAX_FRAME = 4096;

    private PuntMessage()
    {
    }

    public static int port(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + PORT);
    }

    public static int network(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + NETWORK);
    }

    public static int vlan(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + VLAN);
    }

    public static int peer(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + PEER);
    }

    public static int l3Offset(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + L3_OFFSET);
    }

    public static int l4Offset(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + L4_OFFSET);
    }

    public static int frameLength(final DirectBuffer buffer, final int message)
    {
        return buffer.getInt(message + FRAME_LENGTH);
    }

    static void header(
        final MutableDirectBuffer buffer, final int message, final int port, final int network, final int vlan, final int peer,
        final int l3Offset, final int l4Offset, final int frameLength)
    {
        buffer.putInt(message + PORT, port);
        buffer.putInt(message + NETWORK, network);
        buffer.putInt(message + VLAN, vlan);
        buffer.putInt(message + PEER, peer);
        buffer.putInt(message + L3_OFFSET, l3Offset);
        buffer.putInt(message + L4_OFFSET, l4Offset);
        buffer.putInt(message + FRAME_LENGTH, frameLength);
        buffer.putInt(message + FRAME_LENGTH + 4, 0);
    }
}
