package dev.wharf.dns;

import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import dev.wharf.dataplane.punt.PuntChannel;
import dev.wharf.dataplane.punt.PuntMessage;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.xbill.DNS.Message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * DNS over TCP on the gateways (RFC 7766), for answers too large for UDP: the smallest TCP a request-response
 * server needs, on the punt thread. A connection is opened by a SYN (answered with a SYN-ACK and our MSS), takes
 * queries as 2-byte-length-prefixed messages in order (out-of-order data is acknowledged as what we still expect, so
 * the client resends), writes each answer in segments of the client's MSS within its window, resends unacknowledged
 * data after {@link #RTO_MS} (at most {@link #MAX_RETRIES} times), and ends with the client's FIN (our FIN follows
 * the last answer), a reset, or {@link #IDLE_MS} of silence. At most {@link #MAX_CONNECTIONS} at a time: a SYN beyond
 * that gets a reset, as a full listen queue refuses.
 */
final class TcpDnsConnections
{
    static final int MAX_CONNECTIONS = 1_024;
    static final long RTO_MS = 300;
    static final int MAX_RETRIES = 6;
    static final long IDLE_MS = 10_000;
    /** Our MSS: what fits the punt path's frames and any Ethernet network's MTU. */
    static final int OUR_MSS = 1_400;
    private static final int DEFAULT_PEER_MSS = 536;
    private static final int WINDOW = 65_535;
    private static final int MAX_QUERY_BYTES = 2 + 65_535;
    private static final long SCAN_INTERVAL_MS = 50;

    /** Answers a query: the reply now, or null when it was forwarded and comes later to {@code later}. */
    interface Resolver
    {
        Message resolve(Message query, QueryOrigin origin, java.util.function.Consumer<Message> later);
    }

    private enum State
    {
        SYN_RECEIVED,
        ESTABLISHED,
        /** The client sent FIN: our FIN goes after the last answer. */
        CLOSING,
        /** Our FIN is sent: waiting for its ACK. */
        LAST_ACK
    }

    private static final class Connection
    {
        final long key;
        final QueryOrigin origin;
        final long iss;
        State state = State.SYN_RECEIVED;
        long rcvNext;
        /** The first byte of {@link #unacked}: the oldest sequence number the client has not acknowledged. */
        long sndUna;
        long sndNext;
        int peerMss = DEFAULT_PEER_MSS;
        int peerWindow = WINDOW;
        final ByteArrayOutputStream input = new ByteArrayOutputStream();
        byte[] unacked = new byte[0];
        boolean finQueued;
        int pendingAnswers;
        long lastSendMs;
        long lastHeardMs;
        int retries;

        Connection(final long key, final QueryOrigin origin, final long iss)
        {
            this.key = key;
            this.origin = origin;
            this.iss = iss;
        }
    }

    private record Later(long key, Message reply)
    {
    }

    private final Resolver resolver;
    private final IntFunction<PuntChannel> channels;
    private final DnsCounters counters;
    private final ReplyFrames frames = new ReplyFrames();
    private final Long2ObjectHashMap<Connection> connections = new Long2ObjectHashMap<>();
    private final Queue<Later> answersFromUpstream = new ConcurrentLinkedQueue<>();
    private long nextScanMs;

    TcpDnsConnections(final Resolver resolver, final IntFunction<PuntChannel> channels, final DnsCounters counters)
    {
        this.resolver = resolver;
        this.channels = channels;
        this.counters = counters;
    }

    int size()
    {
        return connections.size();
    }

    /** A TCP segment punted to the gateway's port 53. Punt thread. */
    void onSegment(final int worker, final DirectBuffer buffer, final int message, final long nowMs)
    {
        final int frame = message + PuntMessage.FRAME;
        final int l3 = frame + PuntMessage.l3Offset(buffer, message);
        final int l4 = frame + PuntMessage.l4Offset(buffer, message);
        final int frameEnd = frame + PuntMessage.frameLength(buffer, message);
        final int ipEnd = l3 + (buffer.getShort(l3 + Ipv4Flyweight.TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        if (l4 + TcpFlyweight.MIN_HEADER_LENGTH > Math.min(frameEnd, ipEnd))
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED);
            return;
        }
        final int headerLength = ((buffer.getByte(l4 + TcpFlyweight.DATA_OFFSET_OFFSET) & 0xF0) >>> 4) * 4;
        final int dataStart = l4 + headerLength;
        final int dataEnd = Math.min(frameEnd, ipEnd);
        if (headerLength < TcpFlyweight.MIN_HEADER_LENGTH || dataStart > dataEnd)
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED);
            return;
        }
        final QueryOrigin origin = QueryOrigin.read(worker, buffer, message);
        final int flags = buffer.getByte(l4 + TcpFlyweight.FLAGS_OFFSET) & 0xFF;
        final long seq = buffer.getInt(l4 + TcpFlyweight.SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        final long ack = buffer.getInt(l4 + TcpFlyweight.ACKNOWLEDGMENT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        final int window = buffer.getShort(l4 + TcpFlyweight.WINDOW_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final long key = (long)origin.network() << 48 | (origin.clientIp() & 0xFFFF_FFFFL) << 16 | origin.clientPort();
        Connection connection = connections.get(key);
        if ((flags & TcpFlyweight.RST) != 0)
        {
            if (connection != null)
            {
                connections.remove(key);
            }
            return;
        }
        if ((flags & TcpFlyweight.SYN) != 0 && (flags & TcpFlyweight.ACK) == 0)
        {
            if (connection != null && connection.state == State.SYN_RECEIVED && connection.rcvNext == ((seq + 1) & 0xFFFF_FFFFL))
            {
                sendSynAck(connection, nowMs); // the client did not hear our SYN-ACK
                return;
            }
            if (connection == null && connections.size() >= MAX_CONNECTIONS)
            {
                counters.increment(DnsCounters.Counter.TCP_REFUSED);
                reset(origin, 0, (seq + 1) & 0xFFFF_FFFFL, TcpFlyweight.RST | TcpFlyweight.ACK);
                return;
            }
            connection = new Connection(key, origin, ThreadLocalRandom.current().nextLong(1L << 32));
            connection.rcvNext = (seq + 1) & 0xFFFF_FFFFL;
            connection.sndUna = connection.iss;
            connection.sndNext = (connection.iss + 1) & 0xFFFF_FFFFL;
            connection.peerMss = Math.min(OUR_MSS, peerMss(buffer, l4, headerLength));
            connection.peerWindow = window;
            connection.lastHeardMs = nowMs;
            connections.put(key, connection);
            counters.increment(DnsCounters.Counter.TCP_CONNECTIONS);
            sendSynAck(connection, nowMs);
            return;
        }
        if (connection == null)
        {
            // not ours (a connection we forgot): a reset tells the client at once, as a closed port does
            if ((flags & TcpFlyweight.ACK) != 0)
            {
                reset(origin, ack, 0, TcpFlyweight.RST);
            }
            return;
        }
        connection.lastHeardMs = nowMs;
        connection.peerWindow = window;
        if ((flags & TcpFlyweight.ACK) != 0)
        {
            acknowledged(connection, ack, nowMs);
            if (!connections.containsKey(key))
            {
                return; // the ACK of our FIN ended it
            }
        }
        if (connection.state == State.SYN_RECEIVED)
        {
            return; // no data before the handshake is done
        }
        final int dataLength = dataEnd - dataStart;
        final boolean fin = (flags & TcpFlyweight.FIN) != 0;
        if (dataLength == 0 && !fin)
        {
            return;
        }
        if (seq != connection.rcvNext)
        {
            sendSegment(connection, connection.sndNext, TcpFlyweight.ACK, null, 0, 0); // a duplicate ACK: resend from rcvNext
            return;
        }
        if (dataLength > 0)
        {
            if (connection.input.size() + dataLength > MAX_QUERY_BYTES)
            {
                abort(connection);
                return;
            }
            final byte[] data = new byte[dataLength];
            buffer.getBytes(dataStart, data);
            connection.input.write(data, 0, dataLength);
            connection.rcvNext = (connection.rcvNext + dataLength) & 0xFFFF_FFFFL;
        }
        if (fin)
        {
            connection.rcvNext = (connection.rcvNext + 1) & 0xFFFF_FFFFL;
            connection.state = State.CLOSING;
        }
        takeQueries(connection);
        if (!flush(connection, nowMs))
        {
            sendSegment(connection, connection.sndNext, TcpFlyweight.ACK, null, 0, 0);
        }
    }

    /** Answers every complete query in the connection's input, in order. */
    private void takeQueries(final Connection connection)
    {
        byte[] input = connection.input.toByteArray();
        int offset = 0;
        while (input.length - offset >= 2)
        {
            final int length = (input[offset] & 0xFF) << 8 | input[offset + 1] & 0xFF;
            if (input.length - offset - 2 < length)
            {
                break;
            }
            final byte[] wire = new byte[length];
            System.arraycopy(input, offset + 2, wire, 0, length);
            offset += 2 + length;
            counters.increment(DnsCounters.Counter.QUERIES);
            final Message query;
            try
            {
                query = new Message(wire);
            }
            catch (final java.io.IOException | RuntimeException ex)
            {
                counters.increment(DnsCounters.Counter.FORMERR);
                abort(connection); // a stream out of step cannot be resynchronised
                return;
            }
            final long key = connection.key;
            connection.pendingAnswers++;
            final Message reply = resolver.resolve(query, connection.origin, later -> answersFromUpstream.add(new Later(key, later)));
            if (reply != null)
            {
                connection.pendingAnswers--;
                queueAnswer(connection, reply);
            }
        }
        connection.input.reset();
        connection.input.write(input, offset, input.length - offset);
    }

    private static void queueAnswer(final Connection connection, final Message reply)
    {
        final byte[] wire = reply.toWire(65_535);
        final byte[] next = new byte[connection.unacked.length + 2 + wire.length];
        System.arraycopy(connection.unacked, 0, next, 0, connection.unacked.length);
        next[connection.unacked.length] = (byte)(wire.length >>> 8);
        next[connection.unacked.length + 1] = (byte)wire.length;
        System.arraycopy(wire, 0, next, connection.unacked.length + 2, wire.length);
        connection.unacked = next;
    }

    /**
     * Sends what the client's window takes of the answers not sent yet, then our FIN once the client closed and every
     * answer is out. @return whether anything was sent (it carried the ACK).
     */
    private boolean flush(final Connection connection, final long nowMs)
    {
        boolean sent = false;
        final long sentBytes = (connection.sndNext - connection.sndUna) & 0xFFFF_FFFFL;
        int offset = (int)Math.min(sentBytes, connection.unacked.length);
        final long windowEnd = connection.peerWindow;
        while (offset < connection.unacked.length && offset < windowEnd)
        {
            final int length = Math.min(connection.peerMss, Math.min(connection.unacked.length - offset, (int)(windowEnd - offset)));
            sendSegment(connection, (connection.sndUna + offset) & 0xFFFF_FFFFL, TcpFlyweight.ACK | TcpFlyweight.PSH, connection.unacked, offset, length);
            offset += length;
            connection.sndNext = (connection.sndUna + offset) & 0xFFFF_FFFFL;
            sent = true;
        }
        if (connection.state == State.CLOSING && connection.pendingAnswers == 0 && offset == connection.unacked.length && !connection.finQueued)
        {
            sendSegment(connection, connection.sndNext, TcpFlyweight.ACK | TcpFlyweight.FIN, null, 0, 0);
            connection.sndNext = (connection.sndNext + 1) & 0xFFFF_FFFFL;
            connection.finQueued = true;
            connection.state = State.LAST_ACK;
            sent = true;
        }
        if (sent)
        {
            connection.lastSendMs = nowMs;
        }
        return sent;
    }

    private void acknowledged(final Connection connection, final long ack, final long nowMs)
    {
        final long advance = (ack - connection.sndUna) & 0xFFFF_FFFFL;
        final long outstanding = (connection.sndNext - connection.sndUna) & 0xFFFF_FFFFL;
        if (advance == 0 || advance > outstanding)
        {
            return;
        }
        long dataAcked = advance;
        if (connection.state == State.SYN_RECEIVED)
        {
            connection.state = State.ESTABLISHED;
            dataAcked--; // the SYN's sequence number
        }
        final boolean finAcked = connection.finQueued && ack == connection.sndNext;
        if (finAcked)
        {
            dataAcked--;
        }
        final int drop = (int)Math.min(Math.max(dataAcked, 0), connection.unacked.length);
        final byte[] rest = new byte[connection.unacked.length - drop];
        System.arraycopy(connection.unacked, drop, rest, 0, rest.length);
        connection.unacked = rest;
        connection.sndUna = ack;
        connection.retries = 0;
        if (finAcked)
        {
            connections.remove(connection.key);
            return;
        }
        flush(connection, nowMs);
    }

    private void sendSynAck(final Connection connection, final long nowMs)
    {
        connection.lastSendMs = nowMs;
        inject(connection.origin, frames.tcp(connection.origin, connection.iss, connection.rcvNext, TcpFlyweight.SYN | TcpFlyweight.ACK,
            WINDOW, OUR_MSS, null, 0, 0));
    }

    private void sendSegment(final Connection connection, final long seq, final int flags, final byte[] data, final int offset, final int length)
    {
        inject(connection.origin, frames.tcp(connection.origin, seq, connection.rcvNext, flags, WINDOW, 0, data, offset, length));
    }

    private void reset(final QueryOrigin origin, final long seq, final long ack, final int flags)
    {
        inject(origin, frames.tcp(origin, seq, ack, flags, 0, 0, null, 0, 0));
    }

    private void abort(final Connection connection)
    {
        reset(connection.origin, connection.sndNext, connection.rcvNext, TcpFlyweight.RST | TcpFlyweight.ACK);
        connections.remove(connection.key);
    }

    private void inject(final QueryOrigin origin, final int frameLength)
    {
        if (!channels.apply(origin.worker()).inject(origin.port(), origin.network(), origin.vlan(), origin.peer(), frames.buffer(), 0, frameLength))
        {
            counters.increment(DnsCounters.Counter.INJECT_QUEUE_FULL);
        }
    }

    /** Writes answers that came from upstream, resends what was not acknowledged, forgets the silent. Punt thread. */
    int poll(final long nowMs)
    {
        int work = 0;
        Later later;
        while ((later = answersFromUpstream.poll()) != null)
        {
            final Connection connection = connections.get(later.key());
            if (connection != null)
            {
                connection.pendingAnswers--;
                queueAnswer(connection, later.reply());
                flush(connection, nowMs);
            }
            work++;
        }
        if (nowMs < nextScanMs || connections.isEmpty())
        {
            return work;
        }
        nextScanMs = nowMs + SCAN_INTERVAL_MS;
        final List<Connection> expired = new ArrayList<>();
        for (final Connection connection : connections.values())
        {
            if (nowMs - connection.lastHeardMs > IDLE_MS || connection.retries >= MAX_RETRIES)
            {
                expired.add(connection);
            }
            else if (connection.sndNext != connection.sndUna && nowMs - connection.lastSendMs >= RTO_MS << Math.min(connection.retries, 4))
            {
                retransmit(connection, nowMs);
                work++;
            }
        }
        for (final Connection connection : expired)
        {
            abort(connection);
            work++;
        }
        return work;
    }

    /** Go-back-N from the oldest unacknowledged byte (a SYN-ACK in SYN_RECEIVED). */
    private void retransmit(final Connection connection, final long nowMs)
    {
        connection.retries++;
        if (connection.state == State.SYN_RECEIVED)
        {
            sendSynAck(connection, nowMs);
            return;
        }
        final boolean finWasSent = connection.finQueued;
        connection.sndNext = connection.sndUna;
        connection.finQueued = false;
        if (finWasSent)
        {
            connection.state = State.CLOSING;
        }
        flush(connection, nowMs);
    }

    /** The MSS option of a SYN, or the default when it has none. */
    private static int peerMss(final DirectBuffer buffer, final int l4, final int headerLength)
    {
        int at = l4 + TcpFlyweight.MIN_HEADER_LENGTH;
        final int end = l4 + headerLength;
        while (at < end)
        {
            final int kind = buffer.getByte(at) & 0xFF;
            if (kind == 0)
            {
                break;
            }
            if (kind == 1)
            {
                at++;
                continue;
            }
            if (at + 1 >= end)
            {
                break;
            }
            final int length = buffer.getByte(at + 1) & 0xFF;
            if (length < 2 || at + length > end)
            {
                break;
            }
            if (kind == 2 && length == 4)
            {
                return Math.max(64, buffer.getShort(at + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF);
            }
            at += length;
        }
        return DEFAULT_PEER_MSS;
    }
}
