package dev.wharf.control.state;

import com.google.protobuf.Message;
import dev.wharf.control.api.v1.PersistedConnection;
import dev.wharf.control.api.v1.PersistedNetwork;
import dev.wharf.control.api.v1.PersistedNetworkSection;
import dev.wharf.control.api.v1.PersistedPort;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

/**
 * Keeps the {@link NetworkSection} as {@code wharf.v1.PersistedNetworkSection}: the
 * {@code networks}, {@code ports} and {@code connections} keys of {@code state.json}. A network
 * written before policies existed gets the default policy. Stateless.
 */
final class NetworkSectionCodec implements SectionCodec<NetworkSection>
{
    @Override
    public Message defaultMessage()
    {
        return PersistedNetworkSection.getDefaultInstance();
    }

    @Override
    public Message write(final NetworkSection section)
    {
        final PersistedNetworkSection.Builder out = PersistedNetworkSection.newBuilder();
        for (final NetworkSpec network : section.networks())
        {
            out.addNetworks(PersistedNetwork.newBuilder()
                .setName(network.name())
                .setSubnet(network.subnet().toString())
                .setGateway(Ipv4Address.toString(network.gateway()))
                .setGatewayMac(MacAddress.toString(network.gatewayMac()))
                .setMacLimit(network.macLimit())
                .setInternal(network.internal())
                .setIcc(network.icc())
                .setMasquerade(network.masquerade()));
        }
        for (final PortSpec port : section.ports())
        {
            final PersistedPort.Builder p = PersistedPort.newBuilder()
                .setName(port.name())
                .setNetwork(port.network())
                .setKind(port.kind().label())
                .setVlan(port.vlan())
                .addAllTrunkVlans(port.trunkVlans())
                .setMacLimit(port.macLimit())
                .setContainerName(port.containerName())
                .addAllAliases(port.aliases())
                .setPortSecurity(port.portSecurity());
            if (port.hasIp())
            {
                p.setIp(Ipv4Address.toString(port.ip()));
            }
            if (port.hasMac())
            {
                p.setMac(MacAddress.toString(port.mac()));
            }
            out.addPorts(p);
        }
        for (final ConnectionSpec connection : section.connections())
        {
            out.addConnections(PersistedConnection.newBuilder().setNetwork(connection.network()).setOther(connection.other()));
        }
        return out.build();
    }

    @Override
    public NetworkSection read(final Message message, final DesiredState earlier, final PersistedValues values) throws StateFileException
    {
        final PersistedNetworkSection persisted = (PersistedNetworkSection)message;
        NetworkSection section = NetworkSection.EMPTY;
        for (final PersistedNetwork n : persisted.getNetworksList())
        {
            final String where = "network \"" + n.getName() + "\"";
            if (n.getName().isEmpty() || section.network(n.getName()) != null)
            {
                throw values.failure(where + " has no name or appears twice");
            }
            section = section.withNetwork(new NetworkSpec(n.getName(), values.cidr(n.getSubnet(), where), values.ip(n.getGateway(), where),
                values.mac(n.getGatewayMac(), where), n.getMacLimit(), n.getInternal(), !n.hasIcc() || n.getIcc(),
                !n.hasMasquerade() || n.getMasquerade()));
        }
        for (final PersistedPort p : persisted.getPortsList())
        {
            final String where = "port \"" + p.getName() + "\"";
            if (p.getName().isEmpty() || section.port(p.getName()) != null)
            {
                throw values.failure(where + " has no name or appears twice");
            }
            if (section.network(p.getNetwork()) == null)
            {
                throw values.failure(where + " names network \"" + p.getNetwork() + "\", which the file does not define");
            }
            final PortKind kind = values.kind(p.getKind(), where);
            section = section.withPort(new PortSpec(p.getName(), p.getNetwork(), kind,
                p.getIp().isEmpty() ? PortSpec.NO_IP : values.ip(p.getIp(), where),
                p.getMac().isEmpty() ? PortSpec.NO_MAC : values.mac(p.getMac(), where),
                p.getVlan(), p.getTrunkVlansList(), p.getMacLimit(), p.getContainerName(), p.getAliasesList(),
                p.getPortSecurity()));
        }
        for (final PersistedConnection c : persisted.getConnectionsList())
        {
            if (section.network(c.getNetwork()) == null || section.network(c.getOther()) == null)
            {
                throw values.failure("connection " + c.getNetwork() + " <-> " + c.getOther() + " names a network the file does not define");
            }
            section = section.withConnection(new ConnectionSpec(c.getNetwork(), c.getOther()));
        }
        return section;
    }
}
