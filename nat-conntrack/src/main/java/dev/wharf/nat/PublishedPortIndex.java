package dev.wharf.nat;

import dev.wharf.dataplane.protocol.Ipv4Flyweight;

import java.util.Arrays;
import java.util.List;

/**
 * The published ports in a form ip4-nat-in matches in O(1): a slot per (TCP or UDP) x host port
 * holding the first of the entries published on that port, chained to the rest (several host
 * addresses may share a port). Immutable, rebuilt whenever the list changes, read through one
 * volatile reference once per batch.
 */
final class PublishedPortIndex
{
    static final PublishedPortIndex EMPTY = new PublishedPortIndex(List.of());
    static final int NONE = -1;

    private final int[] first;
    private final int[] next;
    final int[] hostIp;
    final int[] containerIp;
    final int[] containerPort;
    final int[] network;
    private final List<PublishedPort> ports;

    PublishedPortIndex(final List<PublishedPort> ports)
    {
        this.ports = List.copyOf(ports);
        final int n = this.ports.size();
        this.first = new int[n == 0 ? 0 : 2 * 65_536];
        Arrays.fill(first, NONE);
        this.next = new int[n];
        this.hostIp = new int[n];
        this.containerIp = new int[n];
        this.containerPort = new int[n];
        this.network = new int[n];
        // in reverse so each chain keeps the list's order: a specific address listed first wins over 0
        for (int e = n - 1; e >= 0; e--)
        {
            final PublishedPort port = this.ports.get(e);
            final int slot = slot(port.protocol(), port.hostPort());
            if (slot < 0)
            {
                throw new IllegalArgumentException("published port protocol must be 6 or 17: " + port);
            }
            hostIp[e] = port.hostIp();
            containerIp[e] = port.containerIp();
            containerPort[e] = port.containerPort();
            network[e] = port.network();
            next[e] = first[slot];
            first[slot] = e;
        }
    }

    List<PublishedPort> ports()
    {
        return ports;
    }

    boolean isEmpty()
    {
        return next.length == 0;
    }

    private static int slot(final int protocol, final int port)
    {
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP)
        {
            return port & 0xFFFF;
        }
        return protocol == Ipv4Flyweight.PROTOCOL_UDP ? 65_536 + (port & 0xFFFF) : -1;
    }

    /** The first entry published on this protocol and port, or {@link #NONE}. */
    int first(final int protocol, final int port)
    {
        if (next.length == 0)
        {
            return NONE;
        }
        final int slot = slot(protocol, port);
        return slot < 0 ? NONE : first[slot];
    }

    int next(final int entry)
    {
        return next[entry];
    }
}
