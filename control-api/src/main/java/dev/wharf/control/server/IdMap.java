package dev.wharf.control.server;

import java.util.HashMap;
import java.util.Map;

/**
 * The one map between the desired state's names and the dataplane's own ids: network name <->
 * network index, port name <-> port id. The ids live here, beside but outside the desired state, so
 * the state can be persisted and replayed on a dataplane that numbers things differently. Besides
 * the user's networks and ports, a feature can name a dataplane network or port it owns for
 * listings only ({@link #nameNetwork}, {@link #namePort}: the uplink), which name lookups by the
 * user's names never find; diagnostics that observe any port (trace, capture) find those ports by
 * name too ({@link #observablePort}).
 *
 * <p>Not thread-safe: read and written under the {@link StateTransaction}'s lock.
 */
public final class IdMap
{
    private final Map<String, Integer> networkIndexes = new HashMap<>();
    private final Map<Integer, String> networkNames = new HashMap<>();
    private final Map<String, Integer> portIds = new HashMap<>();
    private final Map<Integer, String> portNames = new HashMap<>();
    /** The ports features named ({@link #namePort}), by name. */
    private final Map<String, Integer> namedPortIds = new HashMap<>();

    /** The dataplane index of the user network {@code name}, or null. */
    public Integer network(final String name)
    {
        return networkIndexes.get(name);
    }

    /** The name of dataplane network {@code index} (a user network's or one a feature named), or null. */
    public String networkName(final int index)
    {
        return networkNames.get(index);
    }

    public void addNetwork(final String name, final int index)
    {
        networkIndexes.put(name, index);
        networkNames.put(index, name);
    }

    /** Forgets the user network {@code name}; its index. */
    public int removeNetwork(final String name)
    {
        final int index = networkIndexes.remove(name);
        networkNames.remove(index);
        return index;
    }

    /** Names a network a feature owns, for listings only; null forgets it. */
    public void nameNetwork(final int index, final String name)
    {
        if (name == null)
        {
            networkNames.remove(index);
        }
        else
        {
            networkNames.put(index, name);
        }
    }

    /** The dataplane id of the user port {@code name}, or null. */
    public Integer port(final String name)
    {
        return portIds.get(name);
    }

    /** The dataplane id of the port {@code name}, the user's or one a feature named (the uplink's), or null. */
    public Integer observablePort(final String name)
    {
        final Integer id = portIds.get(name);
        return id != null ? id : namedPortIds.get(name);
    }

    /** The name of the port with dataplane id {@code id}, or {@code #id} once it is gone. */
    public String portName(final int id)
    {
        return portNames.getOrDefault(id, "#" + id);
    }

    /** User ports in the dataplane now. */
    public int portCount()
    {
        return portIds.size();
    }

    public void addPort(final String name, final int id)
    {
        portIds.put(name, id);
        portNames.put(id, name);
    }

    public void removePort(final String name, final int id)
    {
        portIds.remove(name);
        portNames.remove(id);
    }

    /** Names a port a feature owns, for listings only; null forgets it. */
    public void namePort(final int id, final String name)
    {
        final String before = name == null ? portNames.remove(id) : portNames.put(id, name);
        if (before != null)
        {
            namedPortIds.remove(before, id);
        }
        if (name != null)
        {
            namedPortIds.put(name, id);
        }
    }
}
