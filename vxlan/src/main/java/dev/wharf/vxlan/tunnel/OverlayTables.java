package dev.wharf.vxlan.tunnel;

import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.underlay.UnderlayPort;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Long2LongHashMap;

/**
 * What the overlay's nodes read per packet: tunnels by port id, the tunnel port of each VNI per
 * encapsulation, the underlay's device port per encapsulation, and the proxy-ARP entries (network and
 * IPv4 address to MAC). Immutable once published: the control thread builds a new one for each change
 * and publishes it through one volatile reference that a node reads once per batch.
 */
public final class OverlayTables
{
    public static final OverlayTables EMPTY =
        new OverlayTables(new Tunnel[0], new int[]{-1, -1}, new Long2LongHashMap(0), new UnderlayPort[0]);
    private static final int MISSING = -1;

    private final Tunnel[] byPort;
    private final Int2IntHashMap[] portByVni = new Int2IntHashMap[Encapsulation.values().length];
    private final int[] underlayPorts;
    /** network << 32 | IPv4 address, to MAC; 0 when unknown. */
    private final Long2LongHashMap proxyArp;
    /** Underlays replaced or removed whose sockets their workers still have to close. */
    private final UnderlayPort[] retiring;

    public OverlayTables(
        final Tunnel[] tunnels, final int[] underlayPorts, final Long2LongHashMap proxyArp, final UnderlayPort[] retiring)
    {
        this.retiring = retiring.clone();
        int slots = 0;
        for (final Tunnel tunnel : tunnels)
        {
            slots = Math.max(slots, tunnel.portId + 1);
        }
        this.byPort = new Tunnel[slots];
        for (int e = 0; e < portByVni.length; e++)
        {
            portByVni[e] = new Int2IntHashMap(MISSING);
        }
        for (final Tunnel tunnel : tunnels)
        {
            byPort[tunnel.portId] = tunnel;
            portByVni[tunnel.encapsulation.ordinal()].put(tunnel.vni, tunnel.portId);
        }
        this.underlayPorts = underlayPorts.clone();
        this.proxyArp = proxyArp;
    }

    /** The tunnel whose port is {@code portId}, or null for any other port. */
    public Tunnel tunnelAt(final int portId)
    {
        return portId >= 0 && portId < byPort.length ? byPort[portId] : null;
    }

    /** The tunnel port of {@code vni} under {@code encapsulation}, or -1. */
    public int tunnelPort(final Encapsulation encapsulation, final int vni)
    {
        return portByVni[encapsulation.ordinal()].get(vni);
    }

    /** The underlay's device port receiving {@code encapsulation}'s datagrams, or -1 while no underlay is set. */
    public int underlayPort(final Encapsulation encapsulation)
    {
        return underlayPorts[encapsulation.ordinal()];
    }

    /** The MAC of a remote endpoint with {@code address} on {@code network}, or 0. */
    public long proxyArpMac(final int network, final int address)
    {
        return proxyArp.get(key(network, address));
    }

    public boolean hasProxyArp()
    {
        return !proxyArp.isEmpty();
    }

    /** Underlays whose sockets their workers close (a loop runs only on its owner). */
    public UnderlayPort[] retiring()
    {
        return retiring;
    }

    public static long key(final int network, final int address)
    {
        return (long)network << 32 | (address & 0xFFFF_FFFFL);
    }
}
