package dev.wharf.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** RFC 2308's rules as the cache keeps them: positive answers for their smallest TTL, negative ones for their SOA's, TTLs aged. */
class DnsCacheTest
{
    private static Message query(final String name, final int id) throws Exception
    {
        final Message query = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        query.getHeader().setID(id);
        return query;
    }

    private static Message response(final Message query, final int rcode) throws Exception
    {
        final Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setRcode(rcode);
        response.addRecord(query.getQuestion(), Section.QUESTION);
        return response;
    }

    @Test
    void aPositiveAnswerIsKeptForItsSmallestTtlAndGivenAgedUnderTheAskersId() throws Exception
    {
        final DnsCache cache = new DnsCache(10);
        final Message first = query("www.example.", 1);
        final Message answer = response(first, Rcode.NOERROR);
        final Name name = Name.fromString("www.example.");
        answer.addRecord(new ARecord(name, DClass.IN, 300, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
        answer.addRecord(new ARecord(name, DClass.IN, 60, InetAddress.getByName("192.0.2.2")), Section.ANSWER);
        cache.put(first.getQuestion(), answer, 1_000);

        final Message hit = cache.get(query("WWW.example.", 77), 1_000 + 20_000);
        assertNotNull(hit, "names are case-blind");
        assertEquals(77, hit.getHeader().getID());
        assertEquals(280, hit.getSection(Section.ANSWER).get(0).getTTL(), "aged by 20 s");
        assertEquals(40, hit.getSection(Section.ANSWER).get(1).getTTL());
        assertNull(cache.get(query("www.example.", 78), 1_000 + 60_000), "gone after the smallest TTL");
    }

    @Test
    void aNegativeAnswerIsKeptForItsSoasNegativeTtlAndOneWithoutSoaNotAtAll() throws Exception
    {
        final DnsCache cache = new DnsCache(10);
        final Message missing = query("nothere.example.", 2);
        final Message nxdomain = response(missing, Rcode.NXDOMAIN);
        nxdomain.addRecord(new SOARecord(Name.fromString("example."), DClass.IN, 900, Name.fromString("ns.example."),
            Name.fromString("admin.example."), 1, 3600, 600, 86400, 30), Section.AUTHORITY);
        cache.put(missing.getQuestion(), nxdomain, 0);
        assertEquals(Rcode.NXDOMAIN, cache.get(query("nothere.example.", 3), 29_000).getRcode(), "min(SOA TTL 900, minimum 30)");
        assertNull(cache.get(query("nothere.example.", 4), 30_000));

        final Message bare = query("bare.example.", 5);
        cache.put(bare.getQuestion(), response(bare, Rcode.NXDOMAIN), 0);
        assertNull(cache.get(query("bare.example.", 6), 0), "no SOA, no negative caching");
        final Message failed = query("broken.example.", 7);
        cache.put(failed.getQuestion(), response(failed, Rcode.SERVFAIL), 0);
        assertNull(cache.get(query("broken.example.", 8), 0), "SERVFAIL is never cached");
    }

    @Test
    void theCacheIsBoundedAndForgetsTheLeastRecentlyUsed() throws Exception
    {
        final DnsCache cache = new DnsCache(2);
        for (final String name : new String[]{"a.example.", "b.example.", "c.example."})
        {
            final Message q = query(name, 1);
            final Message r = response(q, Rcode.NOERROR);
            r.addRecord(new ARecord(Name.fromString(name), DClass.IN, 60, InetAddress.getByName("192.0.2.9")), Section.ANSWER);
            cache.put(q.getQuestion(), r, 0);
        }
        assertEquals(2, cache.size());
        assertNull(cache.get(query("a.example.", 1), 0));
        assertNotNull(cache.get(query("c.example.", 1), 0));
    }
}
