package dev.wharf.control.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the user asked the daemon for, apart from how the dataplane realises it: networks and
 * ports by name in the order they were created, the uplink, the connections between networks, the
 * published ports and the user rules. Immutable: every change makes a new state, so the control
 * plane swaps the state only after the dataplane took the change, and the state store can persist
 * one value atomically and replay it in dependency order. Any thread.
 */
public final class DesiredState
{
    public static final DesiredState EMPTY = new DesiredState(Map.of(), Map.of(), null, List.of(), List.of(), List.of(), 1);

    private final Map<String, NetworkSpec> networks;
    private final Map<String, PortSpec> ports;
    private final UplinkSpec uplink;
    private final List<ConnectionSpec> connections;
    private final List<PublishSpec> published;
    private final List<RuleSpec> rules;
    private final long nextRuleId;

    private DesiredState(
        final Map<String, NetworkSpec> networks, final Map<String, PortSpec> ports, final UplinkSpec uplink,
        final List<ConnectionSpec> connections, final List<PublishSpec> published, final List<RuleSpec> rules, final long nextRuleId)
    {
        this.networks = networks;
        this.ports = ports;
        this.uplink = uplink;
        this.connections = connections;
        this.published = published;
        this.rules = rules;
        this.nextRuleId = nextRuleId;
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

    /** The uplink, or null when none is set. */
    public UplinkSpec uplink()
    {
        return uplink;
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

    /** Published ports, in the order added. */
    public List<PublishSpec> published()
    {
        return published;
    }

    /** User rules, in the order they are checked. */
    public List<RuleSpec> rules()
    {
        return rules;
    }

    /** The id the next rule gets. */
    public long nextRuleId()
    {
        return nextRuleId;
    }

    public DesiredState withNetwork(final NetworkSpec network)
    {
        final Map<String, NetworkSpec> copy = new LinkedHashMap<>(networks);
        copy.put(network.name(), network);
        return new DesiredState(Collections.unmodifiableMap(copy), ports, uplink, connections, published, rules, nextRuleId);
    }

    public DesiredState withoutNetwork(final String name)
    {
        final Map<String, NetworkSpec> copy = new LinkedHashMap<>(networks);
        copy.remove(name);
        final List<ConnectionSpec> left = connections.stream().filter(c -> !c.involves(name)).toList();
        return new DesiredState(Collections.unmodifiableMap(copy), ports, uplink, left, published, rules, nextRuleId);
    }

    public DesiredState withPort(final PortSpec port)
    {
        final Map<String, PortSpec> copy = new LinkedHashMap<>(ports);
        copy.put(port.name(), port);
        return new DesiredState(networks, Collections.unmodifiableMap(copy), uplink, connections, published, rules, nextRuleId);
    }

    public DesiredState withoutPort(final String name)
    {
        final Map<String, PortSpec> copy = new LinkedHashMap<>(ports);
        copy.remove(name);
        return new DesiredState(networks, Collections.unmodifiableMap(copy), uplink, connections, published, rules, nextRuleId);
    }

    /** With {@code next} as the uplink; null removes it. */
    public DesiredState withUplink(final UplinkSpec next)
    {
        return new DesiredState(networks, ports, next, connections, published, rules, nextRuleId);
    }

    public DesiredState withConnection(final ConnectionSpec connection)
    {
        final List<ConnectionSpec> copy = new ArrayList<>(connections);
        copy.add(connection);
        return new DesiredState(networks, ports, uplink, List.copyOf(copy), published, rules, nextRuleId);
    }

    public DesiredState withoutConnection(final String a, final String b)
    {
        return new DesiredState(networks, ports, uplink, connections.stream().filter(c -> !c.joins(a, b)).toList(), published, rules,
            nextRuleId);
    }

    public DesiredState withPublished(final PublishSpec publish)
    {
        final List<PublishSpec> copy = new ArrayList<>(published);
        copy.add(publish);
        return new DesiredState(networks, ports, uplink, connections, List.copyOf(copy), rules, nextRuleId);
    }

    public DesiredState withoutPublished(final PublishSpec publish)
    {
        final List<PublishSpec> copy = new ArrayList<>(published);
        copy.remove(publish);
        return new DesiredState(networks, ports, uplink, connections, List.copyOf(copy), rules, nextRuleId);
    }

    /**
     * With {@code rule} at {@code index} (0-based; the size appends) and the next id past its own.
     */
    public DesiredState withRule(final int index, final RuleSpec rule)
    {
        final List<RuleSpec> copy = new ArrayList<>(rules);
        copy.add(index, rule);
        return new DesiredState(networks, ports, uplink, connections, published, List.copyOf(copy), Math.max(nextRuleId, rule.id() + 1));
    }

    public DesiredState withoutRule(final long id)
    {
        return new DesiredState(networks, ports, uplink, connections, published, rules.stream().filter(r -> r.id() != id).toList(),
            nextRuleId);
    }

    /** With the next rule id set (a loaded state keeps the one it was saved with). */
    public DesiredState withNextRuleId(final long id)
    {
        return new DesiredState(networks, ports, uplink, connections, published, rules, Math.max(id, nextRuleId));
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof DesiredState other && networks().equals(other.networks()) && ports().equals(other.ports()) &&
            Objects.equals(uplink, other.uplink) && connections.equals(other.connections) && published.equals(other.published) &&
            rules.equals(other.rules) && nextRuleId == other.nextRuleId;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(networks, ports, uplink, connections, published, rules, nextRuleId);
    }

    @Override
    public String toString()
    {
        return "DesiredState{networks=" + networks.values() + ", ports=" + ports.values() + ", uplink=" + uplink +
            ", connections=" + connections + ", published=" + published + ", rules=" + rules + "}";
    }
}
