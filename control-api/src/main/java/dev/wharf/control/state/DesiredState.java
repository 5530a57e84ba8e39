package dev.wharf.control.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the user asked the daemon for, apart from how the dataplane realises it: networks and
 * ports by name, in the order they were created. Immutable: every change makes a new state, so the
 * control plane swaps the state only after the dataplane took the change, and a later state store
 * can persist one value atomically and replay it in order. Any thread.
 */
public final class DesiredState
{
    public static final DesiredState EMPTY = new DesiredState(Map.of(), Map.of());

    private final Map<String, NetworkSpec> networks;
    private final Map<String, PortSpec> ports;

    private DesiredState(final Map<String, NetworkSpec> networks, final Map<String, PortSpec> ports)
    {
        this.networks = networks;
        this.ports = ports;
    }

    public NetworkSpec network(final String name)
    {
        return networks.get(name);
    }

    public PortSpec port(final String name)
    {
        return ports.get(name);
    }

    /** Networks in creation order. */
    public List<NetworkSpec> networks()
    {
        return List.copyOf(networks.values());
    }

    /** Ports in attach order. */
    public List<PortSpec> ports()
    {
        return List.copyOf(ports.values());
    }

    /** The ports of one network, in attach order. */
    public List<PortSpec> portsOf(final String network)
    {
        final List<PortSpec> list = new ArrayList<>();
        for (final PortSpec port : ports.values())
        {
            if (port.network().equals(network))
            {
                list.add(port);
            }
        }
        return list;
    }

    public DesiredState withNetwork(final NetworkSpec network)
    {
        final Map<String, NetworkSpec> copy = new LinkedHashMap<>(networks);
        copy.put(network.name(), network);
        return new DesiredState(Collections.unmodifiableMap(copy), ports);
    }

    public DesiredState withoutNetwork(final String name)
    {
        final Map<String, NetworkSpec> copy = new LinkedHashMap<>(networks);
        copy.remove(name);
        return new DesiredState(Collections.unmodifiableMap(copy), ports);
    }

    public DesiredState withPort(final PortSpec port)
    {
        final Map<String, PortSpec> copy = new LinkedHashMap<>(ports);
        copy.put(port.name(), port);
        return new DesiredState(networks, Collections.unmodifiableMap(copy));
    }

    public DesiredState withoutPort(final String name)
    {
        final Map<String, PortSpec> copy = new LinkedHashMap<>(ports);
        copy.remove(name);
        return new DesiredState(networks, Collections.unmodifiableMap(copy));
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof DesiredState other && networks().equals(other.networks()) && ports().equals(other.ports());
    }

    @Override
    public int hashCode()
    {
        return networks.hashCode() * 31 + ports.hashCode();
    }

    @Override
    public String toString()
    {
        return "DesiredState{networks=" + networks.values() + ", ports=" + ports.values() + "}";
    }
}
