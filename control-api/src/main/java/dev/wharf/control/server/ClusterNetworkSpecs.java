package dev.wharf.control.server;

import dev.wharf.control.api.v1.ClusterNetworkRecord;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

/** A shared network between its form in the cluster store and this host's {@link NetworkSpec} and driver options. */
final class ClusterNetworkSpecs
{
    private ClusterNetworkSpecs()
    {
    }

    static ClusterNetworkRecord record(final NetworkSpec network, final NetworkController.DriverOptions options, final String createdBy)
    {
        return ClusterNetworkRecord.newBuilder()
            .setName(network.name())
            .setSubnet(network.subnet().toString())
            .setGateway(Ipv4Address.toString(network.gateway()))
            .setGatewayMac(MacAddress.toString(network.gatewayMac()))
            .setMacLimit(network.macLimit())
            .setInternal(network.internal())
            .setIccOff(!network.icc())
            .setMasqueradeOff(!network.masquerade())
            .setVni(options.vni())
            .setEncap(options.encapsulation())
            .setMtu(options.mtu())
            .setCreatedBy(createdBy)
            .build();
    }

    /** The network a record describes; IllegalArgumentException (from the parsers) when a field is malformed. */
    static NetworkSpec spec(final ClusterNetworkRecord record)
    {
        try
        {
            return new NetworkSpec(Inputs.networkName(record.getName()), Inputs.subnet(record.getSubnet()), Ipv4Address.parse(record.getGateway()),
                MacAddress.parse(record.getGatewayMac()), record.getMacLimit(), record.getInternal(), !record.getIccOff(),
                !record.getMasqueradeOff());
        }
        catch (final ControlException e)
        {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static NetworkController.DriverOptions options(final ClusterNetworkRecord record)
    {
        return new NetworkController.DriverOptions(record.getVni(), record.getEncap(), record.getMtu(), null, null, 0);
    }

    static String describe(final ClusterNetworkRecord record)
    {
        return "subnet " + record.getSubnet() + ", gateway " + record.getGateway() + ", " + record.getEncap() + " VNI " + record.getVni() +
            (record.getMtu() != 0 ? ", MTU " + record.getMtu() : "") + (record.getInternal() ? ", internal" : "") +
            (record.getIccOff() ? ", icc off" : "") + (record.getMasqueradeOff() ? ", masquerade off" : "");
    }
}
