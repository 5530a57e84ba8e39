package dev.wharf.dns;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Upstream answers kept for as long as their TTLs allow: a positive answer for the smallest TTL of its answer
 * records, a negative one (NXDOMAIN, or no data) for its SOA's negative TTL (RFC 2308 5: the smaller of the SOA
 * record's TTL and its minimum field), one without SOA not at all, SERVFAIL never. Bounded: least recently used
 * entries go first past {@code capacity}. A hit is given with every TTL lowered by the time it spent here.
 * Thread-safe (the punt thread reads, the upstream reader writes).
 */
final class DnsCache
{
    /** No answer is kept longer than this, whatever its TTL says. */
    static final long MAX_TTL_SECONDS = 3600;

    private record Cached(Message response, long storedMs, long ttlSeconds)
    {
    }

    private final int capacity;
    private final Map<String, Cached> entries;

    DnsCache(final int capacity)
    {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Cached> eldest)
            {
                return size() > DnsCache.this.capacity;
            }
        };
    }

    static String key(final Record question)
    {
        return question.getName().toString().toLowerCase(Locale.ROOT) + "/" + question.getType() + "/" + question.getDClass();
    }

    /** Keeps {@code response} to {@code question} when it may be cached. */
    synchronized void put(final Record question, final Message response, final long nowMs)
    {
        final long ttl = Math.min(MAX_TTL_SECONDS, cacheTtl(response));
        if (ttl > 0)
        {
            entries.put(key(question), new Cached(response, nowMs, ttl));
        }
    }

    /** The cached answer to {@code query} as a reply to it (its id, TTLs aged), or null. */
    synchronized Message get(final Message query, final long nowMs)
    {
        final String key = key(query.getQuestion());
        final Cached cached = entries.get(key);
        if (cached == null)
        {
            return null;
        }
        final long ageSeconds = (nowMs - cached.storedMs) / 1000;
        if (ageSeconds >= cached.ttlSeconds)
        {
            entries.remove(key);
            return null;
        }
        return replyFrom(query, cached.response, ageSeconds);
    }

    /**
     * {@code response} (an upstream's) as our reply to {@code query}: the query's id and EDNS (the upstream's OPT is
     * its own business), the response's rcode and records with every TTL lowered by {@code ageSeconds}.
     */
    static Message replyFrom(final Message query, final Message response, final long ageSeconds)
    {
        final Message reply = ReplySender.replyTo(query, true);
        reply.getHeader().setRcode(response.getHeader().getRcode());
        if (response.getHeader().getFlag(Flags.AD))
        {
            reply.getHeader().setFlag(Flags.AD);
        }
        if (response.getHeader().getFlag(Flags.TC))
        {
            reply.getHeader().setFlag(Flags.TC);
        }
        for (final int section : new int[]{Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL})
        {
            for (final Record record : response.getSection(section))
            {
                if (record instanceof OPTRecord)
                {
                    continue;
                }
                reply.addRecord(aged(record, ageSeconds), section);
            }
        }
        return reply;
    }

    /** {@code record} with its TTL lowered by {@code ageSeconds} (dnsjava keeps its TTL setter to itself: rebuilt from its data). */
    private static Record aged(final Record record, final long ageSeconds)
    {
        if (ageSeconds == 0)
        {
            return record;
        }
        return Record.newRecord(record.getName(), record.getType(), record.getDClass(), Math.max(0, record.getTTL() - ageSeconds),
            record.rdataToWireCanonical());
    }

    synchronized int size()
    {
        return entries.size();
    }

    /** Seconds {@code response} may be kept; 0 when it may not. */
    static long cacheTtl(final Message response)
    {
        final int rcode = response.getHeader().getRcode();
        if (response.getHeader().getFlag(Flags.TC) || rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN)
        {
            return 0;
        }
        final var answers = response.getSection(Section.ANSWER);
        if (rcode == Rcode.NOERROR && !answers.isEmpty())
        {
            long ttl = Long.MAX_VALUE;
            for (final Record record : answers)
            {
                ttl = Math.min(ttl, record.getTTL());
            }
            return ttl;
        }
        for (final Record record : response.getSection(Section.AUTHORITY))
        {
            if (record.getType() == Type.SOA)
            {
                return Math.min(record.getTTL(), ((SOARecord)record).getMinimum());
            }
        }
        return 0;
    }
}
