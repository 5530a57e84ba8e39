package dev.wharf.control.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The networks feature's section of the {@link DesiredState}: networks and ports by name in the
 * order they were created, and the connections between networks. Immutable; any thread.
 */
public final class NetworkSection
{
    public static final NetworkSection EMPTY = new NetworkSection(Map.of(), Map.of(), List.of());
    public static final SectionKey<NetworkSection> KEY = new SectionKey<>("networks", EMPTY, new NetworkSectionCodec());

    private final Map<String, NetworkSpec> networks;
    private final Map<String, PortSpec> ports;
    private final List<ConnectionSpec> connections;

    private NetworkSection(final Map<String, NetworkSpec> networks, final Map<String, PortSpec> ports, final List<ConnectionSpec> connections)
    {
        this.networks = networks;
        this.ports = ports;
        this.connections = connections;
    }

    /** The section of {@code state}. */
    public static NetworkSection of(final DesiredState state)
    {
        return state.get(KEY);
    }

    /** {@code state} with this as its networks section. */
    public DesiredState in(final DesiredState state)
    {
        return state.with(KEY, this);
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

    /** Connected pairs of networks, in the order connected. */
    public List<ConnectionSpec> connections()
    {
        return connections;
    }

    /** The networks connected to {@code network}, in the order connected. */
    public List<String> connectionsOf(final String network)
    {
        final List<String> list = new ArrayList<>();
        for (final ConnectionSpec connection : connections)
        {
            if (connection.network().equals(network))
            {
                list.add(connection.other());
            }
            else if (connection.other().equals(network))
            {
                list.add(connection.network());
            }
        }
        return list;
    }

    public NetworkSection withNetwork(final NetworkSpec network)
    {
        final Map<String, NetworkSpec> copy = new LinkedHashMap<>(networks);
        copy.put(network.name(), network);
        return new NetworkSection(Collections.unmodifiableMap(copy), ports, connections);
    }

    /** Without the network {@code name} and its connections. */
    public NetworkSection withoutNetwork(final String name)
    {
        final Map<String, NetworkSpec> copy = new LinkedHashMap<>(networks);
        copy.remove(name);
        return new NetworkSection(Collections.unmodifiableMap(copy), ports, connections.stream().filter(c -> !c.involves(name)).toList());
    }

    public NetworkSection withPort(final PortSpec port)
    {
        final Map<String, PortSpec> copy = new LinkedHashMap<>(ports);
        copy.put(port.name(), port);
        return new NetworkSection(networks, Collections.unmodifiableMap(copy), connections);
    }

    public NetworkSection withoutPort(final String name)
    {
        final Map<String, PortSpec> copy = new LinkedHashMap<>(ports);
        copy.remove(name);
        return new NetworkSection(networks, Collections.unmodifiableMap(copy), connections);
    }

    public NetworkSection withConnection(final ConnectionSpec connection)
    {
        final List<ConnectionSpec> copy = new ArrayList<>(connections);
        copy.add(connection);
        return new NetworkSection(networks, ports, List.copyOf(copy));
    }

    public NetworkSection withoutConnection(final String a, final String b)
    {
        return new NetworkSection(networks, ports, connections.stream().filter(c -> !c.joins(a, b)).toList());
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof NetworkSection other && networks().equals(other.networks()) && ports().equals(other.ports()) &&
            connections.equals(other.connections);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(networks().hashCode(), ports().hashCode(), connections);
    }

    @Override
    public String toString()
    {
        return "{networks=" + networks.values() + ", ports=" + ports.values() + ", connections=" + connections + "}";
    }
}
