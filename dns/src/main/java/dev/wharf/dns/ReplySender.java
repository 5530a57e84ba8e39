package dev.wharf.dns;

import dev.wharf.dataplane.punt.PuntChannel;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;

import java.util.function.IntFunction;

/**
 * Sends a DNS reply back to the client that asked: written to the UDP size the client can take (truncated with TC
 * set beyond it, so the client retries over TCP), framed, and injected into the worker that punted the query. One
 * instance per replying thread.
 */
final class ReplySender
{
    /** The largest UDP answer without EDNS (RFC 1035 4.2.1). */
    static final int CLASSIC_UDP_LIMIT = 512;
    /** The largest UDP answer we give with EDNS: the DNS flag day 2020 default, which avoids IP fragmentation. */
    static final int EDNS_UDP_LIMIT = 1232;

    private final IntFunction<PuntChannel> channels;
    private final DnsCounters counters;
    private final ReplyFrames frames = new ReplyFrames();

    ReplySender(final IntFunction<PuntChannel> channels, final DnsCounters counters)
    {
        this.channels = channels;
        this.counters = counters;
    }

    /** The reply skeleton for {@code query}: its id, opcode, question, RD copied, RA when we recurse, EDNS when it used EDNS. */
    static Message replyTo(final Message query, final boolean recursionAvailable)
    {
        final Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD))
        {
            reply.getHeader().setFlag(Flags.RD);
        }
        if (recursionAvailable)
        {
            reply.getHeader().setFlag(Flags.RA);
        }
        if (query.getQuestion() != null)
        {
            reply.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null)
        {
            reply.addRecord(new OPTRecord(EDNS_UDP_LIMIT, 0, 0), Section.ADDITIONAL);
        }
        return reply;
    }

    /** How large a UDP answer {@code query}'s sender takes. */
    static int udpLimit(final Message query)
    {
        final OPTRecord opt = query.getOPT();
        return opt == null ? CLASSIC_UDP_LIMIT : Math.max(CLASSIC_UDP_LIMIT, Math.min(EDNS_UDP_LIMIT, opt.getPayloadSize()));
    }

    void send(final Message reply, final QueryOrigin origin, final int udpLimit)
    {
        final byte[] wire = reply.toWire(Math.min(udpLimit, ReplyFrames.MAX_PAYLOAD));
        send(wire, wire.length, origin);
    }

    void send(final byte[] wire, final int length, final QueryOrigin origin)
    {
        if ((wire[2] & 0x02) != 0)
        {
            counters.increment(DnsCounters.Counter.TRUNCATED);
        }
        final int frameLength = frames.udp(origin, wire, length);
        if (!channels.apply(origin.worker()).inject(origin.port(), origin.network(), origin.vlan(), origin.peer(), frames.buffer(), 0, frameLength))
        {
            counters.increment(DnsCounters.Counter.INJECT_QUEUE_FULL);
        }
    }
}
