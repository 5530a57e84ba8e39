package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.util.ArrayList;
import java.util.List;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The rules a port's spec must keep against the networks and the other ports (names, VLANs, MAC
 * limit, its address inside its network and not the gateway's, no address or MAC twice), checked
 * the same way for an API call and for a saved state at start-up. Reads only what it is given;
 * called under the state transaction's lock or before the control plane runs.
 */
final class PortSpecRules
{
    private final NetworkController networks;

    PortSpecRules(final NetworkController networks)
    {
        this.networks = networks;
    }

    /**
     * Checks the ports of a saved state as the API would have checked them when they were attached,
     * one after the other (not whether their interfaces are there: a missing one is restored as down);
     * refuses with the API's message. At start-up, before the ports are restored; reads only {@code saved}.
     */
    void check(final DesiredState saved)
    {
        final NetworkSection all = NetworkSection.of(saved);
        NetworkSection section = NetworkSection.EMPTY;
        for (final NetworkSpec network : all.networks())
        {
            section = section.withNetwork(network);
        }
        for (final PortSpec port : all.ports())
        {
            checkPort(section, port);
            section = section.withPort(port);
        }
        if (section.ports().size() > CounterLayout.MAX_PORTS)
        {
            throw new ControlException(ControlException.Reason.RESOURCE_EXHAUSTED, "too many ports: at most " + CounterLayout.MAX_PORTS);
        }
    }

    /** The API's checks of a port against the networks and the ports attached already in {@code section}; its network. */
    NetworkSpec checkPort(final NetworkSection section, final PortSpec spec)
    {
        Inputs.interfaceName(spec.name());
        if (spec.isTrunk() && spec.vlan() != 0)
        {
            throw ControlException.invalid("a port is either an access port (--vlan) or a trunk (--trunk), not both");
        }
        if (spec.vlan() != 0)
        {
            Inputs.vlan(spec.vlan());
        }
        spec.trunkVlans().forEach(Inputs::vlan);
        networks.checkMacLimit(spec.macLimit());
        final NetworkSpec network = section.network(spec.network());
        if (network == null)
        {
            throw ControlException.notFound("network " + quote(spec.network()) + " not found");
        }
        if (spec.hasIp())
        {
            Inputs.checkInside(network.subnet(), spec.ip(), "IP " + Ipv4Address.toString(spec.ip()));
            if (spec.ip() == network.gateway())
            {
                throw ControlException.invalid("IP " + Ipv4Address.toString(spec.ip()) + " is the gateway of network " + quote(network.name()));
            }
        }
        if (spec.hasMac() && spec.mac() == network.gatewayMac())
        {
            throw ControlException.invalid("MAC " + MacAddress.toString(spec.mac()) + " is the gateway MAC of network " + quote(network.name()));
        }
        final PortSpec existing = section.port(spec.name());
        if (existing != null)
        {
            throw ControlException.alreadyExists("port " + quote(spec.name()) + " is already attached to network " + quote(existing.network()));
        }
        if (spec.hasContainerName())
        {
            Inputs.dnsName(spec.containerName(), "container name");
        }
        spec.aliases().forEach(alias -> Inputs.dnsName(alias, "alias"));
        if (spec.portSecurity() && !spec.hasIp())
        {
            throw ControlException.invalid("--port-security needs --ip: the port may send only from its own address");
        }
        if (spec.portSecurity() && !spec.hasMac() && spec.kind() == dev.wharf.control.state.PortKind.AF_PACKET)
        {
            // a veth's host end has a MAC of its own: the container sends from its peer's, which only --mac tells
            throw ControlException.invalid("--port-security on an AF_PACKET port needs --mac: the host end's MAC is not the container's");
        }
        if (spec.portSecurity() && spec.isTrunk())
        {
            throw ControlException.invalid("--port-security needs an access port, not a trunk");
        }
        if ((spec.hasContainerName() || !spec.aliases().isEmpty()) && !spec.hasIp())
        {
            throw ControlException.invalid("a container name or alias needs --ip: the network's DNS server resolves it to that address");
        }
        if (spec.hasContainerName() && spec.aliases().stream().anyMatch(a -> a.equalsIgnoreCase(spec.containerName())))
        {
            throw ControlException.invalid("alias " + quote(spec.containerName()) + " is the container's name already");
        }
        for (final PortSpec other : section.portsOf(network.name()))
        {
            checkNamesApart(spec, other, network);
            if (spec.hasIp() && other.ip() == spec.ip())
            {
                throw ControlException.alreadyExists("IP " + Ipv4Address.toString(spec.ip()) + " is already used by port " +
                    quote(other.name()) + " in network " + quote(network.name()));
            }
            if (spec.hasMac() && other.mac() == spec.mac())
            {
                throw ControlException.alreadyExists("MAC " + MacAddress.toString(spec.mac()) + " is already used by port " +
                    quote(other.name()) + " in network " + quote(network.name()));
            }
        }
        return network;
    }

    /**
     * A container name is the network's only use of that name; an alias may be shared with other aliases (it then resolves to
     * every holder's address, as Docker's network aliases do) but never be another port's container name.
     */
    private static void checkNamesApart(final PortSpec spec, final PortSpec other, final NetworkSpec network)
    {
        final List<String> otherNames = new ArrayList<>(other.aliases());
        if (other.hasContainerName())
        {
            otherNames.add(other.containerName());
        }
        if (spec.hasContainerName() && otherNames.stream().anyMatch(n -> n.equalsIgnoreCase(spec.containerName())))
        {
            throw ControlException.alreadyExists("name " + quote(spec.containerName()) + " is already used by port " + quote(other.name()) +
                " in network " + quote(network.name()));
        }
        for (final String alias : spec.aliases())
        {
            if (other.hasContainerName() && other.containerName().equalsIgnoreCase(alias))
            {
                throw ControlException.alreadyExists("alias " + quote(alias) + " is the container name of port " + quote(other.name()) +
                    " in network " + quote(network.name()));
            }
        }
    }
}
