package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Anchor: Open vSwitch with its userspace datapath ({@code datapath_type=netdev}), the veths'
 * host ends as system ports read and written through AF_PACKET sockets: the same I/O technique
 * as Wharf's, in C. Two labelled configurations, because with the veths' default checksum
 * offload its plain configuration forwards unfilled checksums and TCP never connects:
 * {@code ovs} turns transmit checksum offload off in the containers; {@code ovs-tso} keeps the
 * defaults and enables OVS's userspace TSO instead.
 */
final class OvsScenario implements Scenario
{
    static final String BRIDGE = HarnessPrefix.name("ovs");

    private final boolean userspaceTso;
    private PrivateOvs ovs;

    private OvsScenario(final boolean userspaceTso)
    {
        this.userspaceTso = userspaceTso;
    }

    static OvsScenario checksumOffloadOff()
    {
        return new OvsScenario(false);
    }

    static OvsScenario userspaceTso()
    {
        return new OvsScenario(true);
    }

    @Override
    public String id()
    {
        return userspaceTso ? "ovs-tso" : "ovs";
    }

    @Override
    public String description()
    {
        return userspaceTso
            ? "Open vSwitch userspace datapath (netdev, AF_PACKET ports), other_config:userspace-tso-enable=true, veth offloads at their defaults"
            : "Open vSwitch userspace datapath (netdev, AF_PACKET ports), tx checksum offload off in the containers (ethtool -K eth0 tx off)";
    }

    @Override
    public double estimatedSetupSeconds()
    {
        return 3;
    }

    @Override
    public String unavailableReason()
    {
        return PrivateOvs.unavailableReason();
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        if (!userspaceTso)
        {
            containers.disableTxChecksumOffload();
        }
        ovs = userspaceTso
            ? PrivateOvs.start(workDir, cleanup, "userspace-tso-enable=true")
            : PrivateOvs.start(workDir, cleanup);
        ovs.vsctl("add-br", BRIDGE, "--", "set", "bridge", BRIDGE, "datapath_type=netdev");
        ovs.vsctl("add-port", BRIDGE, ContainerPair.HOST_END_1);
        ovs.vsctl("add-port", BRIDGE, ContainerPair.HOST_END_2);
        ovs.vswitchd().requireAlive();
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return ovs == null ? List.of() : List.of(ovs.vswitchd().handle());
    }
}
