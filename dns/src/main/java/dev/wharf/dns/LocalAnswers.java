package dev.wharf.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Answers a query from one network's names, or says it must be forwarded: A records for container names, aliases
 * and services (a round-robin service's backends rotated on every answer), PTR for the network's addresses, an
 * empty answer for other types of a name that exists (AAAA included: the name exists, with no IPv6 address),
 * NXDOMAIN for a name another network has, and for an unknown address in the network's own subnet. Called on the
 * punt thread only (the rotation is its state).
 */
final class LocalAnswers
{
    /** Local answers are not to be cached: endpoints come and go, and the next query is cheap (a switch-local answer). */
    static final long LOCAL_TTL = 0;
    private static final String REVERSE_SUFFIX = ".in-addr.arpa.";

    /** What to do with a query. */
    enum Verdict
    {
        ANSWERED,
        FORWARD,
        REFUSED
    }

    private int rotation;

    /**
     * Decides about {@code query} asked on {@code network}; fills {@code reply} (already a reply to the query: id,
     * question, flags) when answered or refused here.
     */
    Verdict answer(final Message query, final Message reply, final NetworkNames network, final DnsZones zones, final boolean canForward)
    {
        final Record question = query.getQuestion();
        if (query.getHeader().getOpcode() != Opcode.QUERY)
        {
            reply.getHeader().setRcode(Rcode.NOTIMP);
            return Verdict.ANSWERED;
        }
        if (question == null || query.getHeader().getCount(Section.QUESTION) != 1)
        {
            reply.getHeader().setRcode(Rcode.FORMERR);
            return Verdict.ANSWERED;
        }
        final String name = question.getName().toString().toLowerCase(Locale.ROOT);
        final int type = question.getType();
        if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY)
        {
            reply.getHeader().setRcode(Rcode.REFUSED);
            return Verdict.REFUSED;
        }
        if (name.endsWith(REVERSE_SUFFIX))
        {
            final int address = reverseAddress(name);
            if (address != 0 || name.equals("0.0.0.0" + REVERSE_SUFFIX))
            {
                final String target = network.reverse().get(address);
                if (target != null)
                {
                    authoritative(reply);
                    if (type == Type.PTR || type == Type.ANY)
                    {
                        reply.addRecord(new PTRRecord(question.getName(), DClass.IN, LOCAL_TTL, absolute(target)), Section.ANSWER);
                    }
                    return Verdict.ANSWERED;
                }
                if (network.contains(address))
                {
                    authoritative(reply);
                    reply.getHeader().setRcode(Rcode.NXDOMAIN);
                    return Verdict.ANSWERED;
                }
            }
        }
        final NetworkNames.Entry entry = network.names().get(name);
        if (entry != null)
        {
            authoritative(reply);
            if (type == Type.A || type == Type.ANY)
            {
                addAddresses(reply, question.getName(), entry);
            }
            return Verdict.ANSWERED;
        }
        if (zones.knownAnywhere(name))
        {
            // another network's name: this container is not on that network, so for it the name does not exist
            authoritative(reply);
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
            return Verdict.ANSWERED;
        }
        if (network.internal() || !canForward)
        {
            reply.getHeader().setRcode(Rcode.REFUSED);
            return Verdict.REFUSED;
        }
        return Verdict.FORWARD;
    }

    private void addAddresses(final Message reply, final Name owner, final NetworkNames.Entry entry)
    {
        final List<Integer> addresses = entry.addresses();
        final int size = addresses.size();
        final int start = entry.mode() == NetworkNames.Mode.ROUND_ROBIN && size > 0 ? Math.floorMod(rotation++, size) : 0;
        for (int n = 0; n < size; n++)
        {
            reply.addRecord(new ARecord(owner, DClass.IN, LOCAL_TTL, inet(addresses.get((start + n) % size))), Section.ANSWER);
        }
    }

    private static void authoritative(final Message reply)
    {
        reply.getHeader().setFlag(Flags.AA);
    }

    /** The address of a reverse name {@code d.c.b.a.in-addr.arpa.}, or 0 when it is not one of four octets. */
    static int reverseAddress(final String name)
    {
        final String[] labels = name.substring(0, name.length() - REVERSE_SUFFIX.length()).split("\\.", -1);
        if (labels.length != 4)
        {
            return 0;
        }
        int address = 0;
        for (int n = 3; n >= 0; n--)
        {
            final String label = labels[n];
            if (label.isEmpty() || label.length() > 3 || !label.chars().allMatch(Character::isDigit))
            {
                return 0;
            }
            final int octet = Integer.parseInt(label);
            if (octet > 255)
            {
                return 0;
            }
            address = address << 8 | octet;
        }
        return address;
    }

    static InetAddress inet(final int address)
    {
        try
        {
            return InetAddress.getByAddress(new byte[]{(byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address});
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex); // four bytes are always an address
        }
    }

    private static Name absolute(final String name)
    {
        try
        {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        }
        catch (final TextParseException ex)
        {
            throw new IllegalArgumentException("not a DNS name: " + name, ex);
        }
    }
}
