package dev.wharf.dns;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every network's names, by the dataplane's network index, as one immutable value: the punt node asks it which
 * networks are served (one array read per packet), the server which names a network has. A name known on another
 * network but not on the asker's is NXDOMAIN for the asker, not forwarded (Docker's scoping: a container resolves
 * only the names of its own networks).
 */
public final class DnsZones
{
    public static final DnsZones EMPTY = new DnsZones(Map.of());

    private final NetworkNames[] byIndex;
    private final Map<String, Boolean> anywhere;

    public DnsZones(final Map<Integer, NetworkNames> networks)
    {
        int size = 0;
        for (final int index : networks.keySet())
        {
            size = Math.max(size, index + 1);
        }
        this.byIndex = new NetworkNames[size];
        final Map<String, Boolean> all = new TreeMap<>();
        for (final Map.Entry<Integer, NetworkNames> entry : networks.entrySet())
        {
            byIndex[entry.getKey()] = entry.getValue();
            entry.getValue().names().keySet().forEach(name -> all.put(name, Boolean.TRUE));
        }
        this.anywhere = Map.copyOf(all);
    }

    /** True when network {@code index} has its DNS server on; hot path. */
    public boolean serves(final int index)
    {
        return index >= 0 && index < byIndex.length && byIndex[index] != null;
    }

    /** The names of network {@code index}, or null when it is not served. */
    public NetworkNames network(final int index)
    {
        return serves(index) ? byIndex[index] : null;
    }

    /** True when some served network has {@code name} (absolute, lowercase). */
    public boolean knownAnywhere(final String name)
    {
        return anywhere.containsKey(name);
    }

    public Collection<NetworkNames> networks()
    {
        return Arrays.stream(byIndex).filter(n -> n != null).toList();
    }
}
