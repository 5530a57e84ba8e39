package dev.wharf.control.server;

import dev.wharf.control.api.v1.Network;
import dev.wharf.control.api.v1.Port;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

/** Renders desired state and runtime facts as {@code wharf.v1} messages. Stateless; any thread. */
final class ApiMessages
{
    private ApiMessages()
    {
    }

    static Network network(final NetworkSpec spec, final int portCount, final int fdbEntries, final java.util.List<String> connections)
    {
        return Network.newBuilder()
            .setInternal(spec.internal())
            .setIcc(spec.icc())
            // what happens, not what was asked: an internal network's connections never leave, so none is masqueraded
            .setMasquerade(spec.masquerade() && !spec.internal())
            .addAllConnections(connections)
            .setName(spec.name())
            .setSubnet(spec.subnet().toString())
            .setGateway(Ipv4Address.toString(spec.gateway()))
            .setGatewayMac(MacAddress.toString(spec.gatewayMac()))
            .setMacLimit(spec.macLimit())
            .setPortCount(portCount)
            .setFdbEntries(fdbEntries)
            .build();
    }

    static Network network(final NetworkController.NetworkView view)
    {
        return network(view.spec(), view.portCount(), view.fdbEntries(), view.connections()).toBuilder().setDriver(view.driver()).build();
    }

    static Port port(final PortController.PortView view)
    {
        final PortSpec spec = view.spec();
        final PortController.PortStatus status = view.status();
        final Port.Builder port = Port.newBuilder()
            .setName(spec.name())
            .setNetwork(spec.network())
            .setKind(kind(spec.kind()))
            .setVlan(spec.vlan())
            .addAllTrunkVlans(spec.trunkVlans())
            .setMacLimit(status.macLimit())
            .setMtu(status.mtu())
            .setLearnedMacs(status.learnedMacs())
            .setState(status.up() ? "up" : "down")
            .setStateReason(status.up() ? "" : status.downReason())
            .setHostKernelProblem(status.hostKernelProblem())
            .setContainerName(spec.containerName())
            .addAllAliases(spec.aliases())
            .setPortSecurity(spec.portSecurity());
        if (spec.hasIp())
        {
            port.setIp(Ipv4Address.toString(spec.ip()));
        }
        if (spec.hasMac())
        {
            port.setMac(MacAddress.toString(spec.mac()));
        }
        return port.build();
    }

    static dev.wharf.control.api.v1.PortKind kind(final PortKind kind)
    {
        return switch (kind)
        {
            case AF_PACKET -> dev.wharf.control.api.v1.PortKind.PORT_KIND_AF_PACKET;
            case TAP -> dev.wharf.control.api.v1.PortKind.PORT_KIND_TAP;
        };
    }

    static PortKind kind(final dev.wharf.control.api.v1.PortKind kind)
    {
        return switch (kind)
        {
            case PORT_KIND_UNSPECIFIED, PORT_KIND_AF_PACKET -> PortKind.AF_PACKET;
            case PORT_KIND_TAP -> PortKind.TAP;
            default -> throw ControlException.invalid("unknown port kind " + kind);
        };
    }
}
