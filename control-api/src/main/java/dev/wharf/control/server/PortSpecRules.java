package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

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
        for (final PortSpec other : section.portsOf(network.name()))
        {
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
}
