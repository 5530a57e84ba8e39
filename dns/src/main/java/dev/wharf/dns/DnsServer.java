package dev.wharf.dns;

import dev.wharf.dataplane.punt.PuntChannel;
import dev.wharf.dataplane.punt.PuntHandler;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.punt.PuntMessage;
import org.agrona.DirectBuffer;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The DNS server every served network's gateway answers with, on the punt thread: each punted query is checked
 * (a datagram that adds up, a source under its rate), parsed by dnsjava, answered from the asking network's names
 * ({@link LocalAnswers}) or forwarded, and the reply injected back through the worker. Malformed messages get
 * FORMERR when their header can be read and nothing when it cannot; none of it stops the next query.
 */
final class DnsServer implements PuntHandler
{
    private static final int HEADER_LENGTH = 12;

    private final Supplier<DnsZones> zones;
    private final Forwarder forwarder;
    private final DnsCounters counters;
    private final LocalAnswers local = new LocalAnswers();
    private final SourceRateLimiter limiter;
    private final ReplySender replies;
    private final TcpDnsConnections tcpConnections;

    /** @param forwarder null when nothing is forwarded ({@code --dns-upstream none}): unknown names are refused. */
    DnsServer(
        final Supplier<DnsZones> zones, final Forwarder forwarder, final int ratePerSource,
        final IntFunction<PuntChannel> channels, final DnsCounters counters)
    {
        this.zones = zones;
        this.forwarder = forwarder;
        this.counters = counters;
        this.limiter = new SourceRateLimiter(ratePerSource);
        this.replies = new ReplySender(channels, counters);
        this.tcpConnections = new TcpDnsConnections(this::resolve, channels, counters);
    }

    @Override
    public void onPunt(final int worker, final DirectBuffer buffer, final int message, final int length)
    {
        final int l3 = message + PuntMessage.FRAME + PuntMessage.l3Offset(buffer, message);
        final boolean tcp = (buffer.getByte(l3 + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF) == Ipv4Flyweight.PROTOCOL_TCP;
        final long nowMs = System.currentTimeMillis();
        final int network = PuntMessage.network(buffer, message);
        final int client = buffer.getInt(l3 + Ipv4Flyweight.SOURCE_OFFSET, java.nio.ByteOrder.BIG_ENDIAN);
        if (zones.get().network(network) == null)
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED); // the network stopped being served since the punt
            return;
        }
        if (!limiter.admit(network, client, nowMs))
        {
            counters.increment(DnsCounters.Counter.RATE_LIMITED);
            return;
        }
        if (tcp)
        {
            tcpConnections.onSegment(worker, buffer, message, nowMs);
            return;
        }
        counters.increment(DnsCounters.Counter.QUERIES);
        final int payloadLength = QueryOrigin.payloadLength(buffer, message);
        if (payloadLength < HEADER_LENGTH)
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED);
            return;
        }
        final QueryOrigin origin = QueryOrigin.read(worker, buffer, message);
        final byte[] wire = new byte[payloadLength];
        buffer.getBytes(QueryOrigin.payloadOffset(buffer, message), wire);
        final Message query;
        try
        {
            query = new Message(wire);
        }
        catch (final IOException | RuntimeException ex)
        {
            formatError(wire, origin);
            return;
        }
        final Message reply = resolve(query, origin, null);
        if (reply != null)
        {
            replies.send(reply, origin, ReplySender.udpLimit(query));
        }
    }

    /**
     * The reply to {@code query} from {@code origin}'s network: now, or null when there is none (a response sent to
     * the server: never answered, so it cannot reflect) or it was forwarded (the answer goes to {@code later}, or with
     * none, straight back to the client as a datagram).
     */
    private Message resolve(final Message query, final QueryOrigin origin, final Consumer<Message> later)
    {
        if (query.getHeader().getFlag(Flags.QR))
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED);
            return null;
        }
        final DnsZones current = zones.get();
        final NetworkNames network = current.network(origin.network());
        final Message reply = ReplySender.replyTo(query, forwarder != null && network != null && !network.internal());
        if (network == null)
        {
            reply.getHeader().setRcode(Rcode.REFUSED);
            counters.increment(DnsCounters.Counter.REFUSED);
            return reply;
        }
        switch (local.answer(query, reply, network, current, forwarder != null))
        {
            case ANSWERED ->
            {
                final int rcode = reply.getHeader().getRcode();
                counters.increment(rcode == Rcode.NXDOMAIN ? DnsCounters.Counter.NXDOMAIN :
                    rcode == Rcode.FORMERR ? DnsCounters.Counter.FORMERR : DnsCounters.Counter.ANSWERED_LOCAL);
                return reply;
            }
            case REFUSED ->
            {
                counters.increment(DnsCounters.Counter.REFUSED);
                return reply;
            }
            default ->
            {
                forwarder.forward(query, origin, later);
                return null;
            }
        }
    }

    /** FORMERR with the query's id, when its 12-byte header is there to take the id from (RFC 1035 4.1.1). */
    private void formatError(final byte[] wire, final QueryOrigin origin)
    {
        if ((wire[2] & 0x80) != 0)
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED);
            return;
        }
        final Message reply = new Message(((wire[0] & 0xFF) << 8) | (wire[1] & 0xFF));
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setRcode(Rcode.FORMERR);
        counters.increment(DnsCounters.Counter.FORMERR);
        replies.send(reply, origin, ReplySender.CLASSIC_UDP_LIMIT);
    }

    @Override
    public int poll(final long nowMs)
    {
        return (forwarder == null ? 0 : forwarder.poll(nowMs)) + tcpConnections.poll(nowMs);
    }
}
