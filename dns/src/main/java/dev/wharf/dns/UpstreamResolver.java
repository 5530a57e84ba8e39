package dev.wharf.dns;

import dev.wharf.dataplane.punt.PuntChannel;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Forwards queries for names no network has to the upstream resolvers, through a {@link DnsCache}: one UDP socket
 * in the host's namespace, each query sent with an id of its own (random, so an off-path spoofer must guess it and
 * the source port), tried on the next upstream after {@link #RETRY_MS} and answered SERVFAIL after
 * {@link #DEADLINE_MS} when none answered, at most {@link #MAX_PENDING} at a time. A reader thread takes the
 * answers, checks they come from an upstream asked and answer the question asked, caches them and replies.
 */
final class UpstreamResolver implements Forwarder, AutoCloseable
{
    static final long RETRY_MS = 700;
    static final long DEADLINE_MS = 2_000;
    static final int MAX_PENDING = 2_048;
    static final int CACHE_ENTRIES = 10_000;
    private static final long SCAN_INTERVAL_MS = 50;

    private static final class Pending
    {
        final Message query;
        final QueryOrigin origin;
        final Consumer<Message> onAnswer;
        final int udpLimit;
        final long deadlineMs;
        long nextTryMs;
        int upstream;

        Pending(final Message query, final QueryOrigin origin, final Consumer<Message> onAnswer, final long nowMs)
        {
            this.query = query;
            this.origin = origin;
            this.onAnswer = onAnswer;
            this.udpLimit = ReplySender.udpLimit(query);
            this.deadlineMs = nowMs + DEADLINE_MS;
            this.nextTryMs = nowMs + RETRY_MS;
        }
    }

    private final List<InetSocketAddress> upstreams;
    private final DnsCounters counters;
    private final DnsCache cache = new DnsCache(CACHE_ENTRIES);
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final DatagramChannel socket;
    private final ReplySender puntReplies;
    private final ReplySender readerReplies;
    private final Thread reader;
    private long nextScanMs;

    UpstreamResolver(final List<InetSocketAddress> upstreams, final IntFunction<PuntChannel> channels, final DnsCounters counters)
        throws IOException
    {
        if (upstreams.isEmpty())
        {
            throw new IllegalArgumentException("no upstream resolver given");
        }
        this.upstreams = List.copyOf(upstreams);
        this.counters = counters;
        this.puntReplies = new ReplySender(channels, counters);
        this.readerReplies = new ReplySender(channels, counters);
        this.socket = DatagramChannel.open();
        socket.bind(new InetSocketAddress(0));
        this.reader = new Thread(this::readAnswers, "wharf-dns-upstream");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void forward(final Message query, final QueryOrigin origin, final Consumer<Message> onAnswer)
    {
        final long nowMs = System.currentTimeMillis();
        final Message cached = cache.get(query, nowMs);
        if (cached != null)
        {
            counters.increment(DnsCounters.Counter.CACHE_HITS);
            deliver(cached, new Pending(query, origin, onAnswer, nowMs), puntReplies);
            return;
        }
        if (pending.size() >= MAX_PENDING)
        {
            counters.increment(DnsCounters.Counter.UPSTREAM_PENDING_FULL);
            serverFailure(new Pending(query, origin, onAnswer, nowMs));
            return;
        }
        final Pending entry = new Pending(query, origin, onAnswer, nowMs);
        int id;
        do
        {
            id = ThreadLocalRandom.current().nextInt(1 << 16);
        }
        while (pending.putIfAbsent(id, entry) != null);
        counters.increment(DnsCounters.Counter.FORWARDED);
        send(id, entry);
    }

    private void send(final int id, final Pending entry)
    {
        final Message upstreamQuery = entry.query.clone();
        upstreamQuery.getHeader().setID(id);
        try
        {
            socket.send(ByteBuffer.wrap(upstreamQuery.toWire()), upstreams.get(entry.upstream));
        }
        catch (final IOException ex)
        {
            // an unreachable upstream: the retry goes to the next one, the deadline answers SERVFAIL
        }
    }

    @Override
    public int poll(final long nowMs)
    {
        if (nowMs < nextScanMs || pending.isEmpty())
        {
            return 0;
        }
        nextScanMs = nowMs + SCAN_INTERVAL_MS;
        int work = 0;
        final Iterator<Map.Entry<Integer, Pending>> entries = pending.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Integer, Pending> next = entries.next();
            final Pending entry = next.getValue();
            if (nowMs >= entry.deadlineMs)
            {
                if (pending.remove(next.getKey(), entry))
                {
                    counters.increment(DnsCounters.Counter.UPSTREAM_TIMEOUTS);
                    serverFailure(entry);
                    work++;
                }
            }
            else if (nowMs >= entry.nextTryMs)
            {
                entry.upstream = (entry.upstream + 1) % upstreams.size();
                entry.nextTryMs = nowMs + RETRY_MS;
                send(next.getKey(), entry);
                work++;
            }
        }
        return work;
    }

    private void serverFailure(final Pending entry)
    {
        final Message reply = ReplySender.replyTo(entry.query, true);
        reply.getHeader().setRcode(Rcode.SERVFAIL);
        counters.increment(DnsCounters.Counter.SERVFAIL);
        deliver(reply, entry, puntReplies);
    }

    /** Hands the answer to its TCP connection, or sends it as a datagram with {@code sender} (the calling thread's). */
    private static void deliver(final Message reply, final Pending entry, final ReplySender sender)
    {
        if (entry.onAnswer != null)
        {
            entry.onAnswer.accept(reply);
        }
        else
        {
            sender.send(reply, entry.origin, entry.udpLimit);
        }
    }

    private void readAnswers()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(65_535);
        while (socket.isOpen())
        {
            try
            {
                buffer.clear();
                final SocketAddress from = socket.receive(buffer);
                buffer.flip();
                final byte[] wire = new byte[buffer.remaining()];
                buffer.get(wire);
                answer(from, wire);
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException | RuntimeException ex)
            {
                // one bad datagram from upstream: skipped; the query it may have answered times out or is retried
            }
        }
    }

    private void answer(final SocketAddress from, final byte[] wire) throws IOException
    {
        final Message response = new Message(wire);
        final int id = response.getHeader().getID();
        final Pending entry = pending.get(id);
        if (entry == null || !from.equals(upstreams.get(entry.upstream)) && !upstreams.contains(from) ||
            response.getQuestion() == null || !DnsCache.key(response.getQuestion()).equals(DnsCache.key(entry.query.getQuestion())))
        {
            return; // late, unasked or not answering what was asked: ignored, as a resolver must (RFC 5452)
        }
        if (!pending.remove(id, entry))
        {
            return;
        }
        final long nowMs = System.currentTimeMillis();
        cache.put(entry.query.getQuestion(), response, nowMs);
        counters.increment(DnsCounters.Counter.UPSTREAM_ANSWERS);
        deliver(DnsCache.replyFrom(entry.query, response, 0), entry, readerReplies);
    }

    int cacheSize()
    {
        return cache.size();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
        try
        {
            reader.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
