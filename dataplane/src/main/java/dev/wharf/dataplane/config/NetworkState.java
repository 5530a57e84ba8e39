package dev.wharf.dataplane.config;

import dev.wharf.dataplane.l2.FdbTable;

/**
 * One network as the workers see it: its gateway, its FDB and its member ports. Immutable but for
 * the FDB, which is a concurrent table of its own.
 */
public final class NetworkState
{
    public final int index;
    public final String name;
    public final int subnet;
    public final int prefixLength;
    public final int gatewayIp;
    public final long gatewayMac;
    public final FdbTable fdb;
    /** Member port ids, in attach order. */
    public final int[] portIds;

    public NetworkState(
        final int index, final String name, final int subnet, final int prefixLength,
        final int gatewayIp, final long gatewayMac, final FdbTable fdb, final int[] portIds)
    {
        this.index = index;
        this.name = name;
        this.subnet = subnet;
        this.prefixLength = prefixLength;
        this.gatewayIp = gatewayIp;
        this.gatewayMac = gatewayMac;
        this.fdb = fdb;
        this.portIds = portIds;
    }

    public NetworkState withPorts(final int[] newPortIds)
    {
        return new NetworkState(index, name, subnet, prefixLength, gatewayIp, gatewayMac, fdb, newPortIds);
    }
}
