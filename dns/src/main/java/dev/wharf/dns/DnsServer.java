package dev.wharf.dns;

import dev.wharf.dataplane.punt.PuntChannel;
import dev.wharf.dataplane.punt.PuntHandler;
import org.agrona.DirectBuffer;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.io.IOException;
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
    }

    @Override
    public void onPunt(final int worker, final DirectBuffer buffer, final int message, final int length)
    {
        counters.increment(DnsCounters.Counter.QUERIES);
        final int payloadLength = QueryOrigin.payloadLength(buffer, message);
        if (payloadLength < HEADER_LENGTH)
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED);
            return;
        }
        final QueryOrigin origin = QueryOrigin.read(worker, buffer, message);
        final DnsZones current = zones.get();
        final NetworkNames network = current.network(origin.network());
        if (network == null || !limiter.admit(origin.network(), origin.clientIp(), System.currentTimeMillis()))
        {
            counters.increment(network == null ? DnsCounters.Counter.MALFORMED_DROPPED : DnsCounters.Counter.RATE_LIMITED);
            return;
        }
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
        if (query.getHeader().getFlag(Flags.QR))
        {
            counters.increment(DnsCounters.Counter.MALFORMED_DROPPED); // a response sent to a server: never answered (no reflection)
            return;
        }
        final Message reply = ReplySender.replyTo(query, forwarder != null && !network.internal());
        switch (local.answer(query, reply, network, current, forwarder != null))
        {
            case ANSWERED ->
            {
                final int rcode = reply.getHeader().getRcode();
                counters.increment(rcode == Rcode.NXDOMAIN ? DnsCounters.Counter.NXDOMAIN :
                    rcode == Rcode.FORMERR ? DnsCounters.Counter.FORMERR : DnsCounters.Counter.ANSWERED_LOCAL);
                replies.send(reply, origin, ReplySender.udpLimit(query));
            }
            case REFUSED ->
            {
                counters.increment(DnsCounters.Counter.REFUSED);
                replies.send(reply, origin, ReplySender.udpLimit(query));
            }
            case FORWARD -> forwarder.forward(query, origin);
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
        return forwarder == null ? 0 : forwarder.poll(nowMs);
    }
}
