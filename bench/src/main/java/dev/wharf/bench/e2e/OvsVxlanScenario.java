package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Userspace anchor for the overlay: Open vSwitch's userspace datapath with a VXLAN port, set up
 * as its userspace-tunneling guide does. On each of the {@link OverlayHosts} a {@link PrivateOvs}
 * runs inside the host namespace with two netdev bridges (host A shown; B is the mirror):
 * <pre>
 * br-int: wbe-h1 (AF_PACKET) + vxlan0 (type=vxlan options:remote_ip=10.79.0.2 options:key=42)
 * br-phy: wbe-ua (AF_PACKET), other_config:hwaddr = wbe-ua's MAC; 10.79.0.1/24 moves from wbe-ua to br-phy
 * ovs-appctl ovs/route/add 10.79.0.1/24 br-phy
 * </pre>
 * OVS encapsulates itself and sends the outer frames out of br-phy's AF_PACKET port; the route
 * is given by hand because the private ovs-vswitchd runs with {@code --disable-system-route}.
 * OVS 3.1's userspace TSO does not cover tunnels, so transmit checksum offload is turned off in
 * the containers, as for the bridged {@code ovs} anchor. Both ovs-vswitchd processes are the
 * switch processes.
 */
final class OvsVxlanScenario implements Scenario
{
    static final String INTEGRATION_BRIDGE = "br-int";
    static final String PHYSICAL_BRIDGE = "br-phy";
    static final String TUNNEL_PORT = "vxlan0";

    private final List<PrivateOvs> instances = new ArrayList<>();

    @Override
    public String id()
    {
        return "vxlan-ovs";
    }

    @Override
    public String description()
    {
        return "Open vSwitch userspace datapath on each host (netdev bridges " + INTEGRATION_BRIDGE + " with the host end and a VXLAN port " +
            "(key " + OverlayHosts.VNI + ", remote_ip = the other host), " + PHYSICAL_BRIDGE + " with the underlay link and the host's underlay " +
            "address), AF_PACKET ports, tx checksum offload off in the containers; " + OverlayHosts.topology();
    }

    @Override
    public Kind kind()
    {
        return Kind.OVERLAY;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        return 6;
    }

    @Override
    public String unavailableReason()
    {
        final String reason = PrivateOvs.unavailableReason();
        if (reason != null)
        {
            return reason;
        }
        return Shell.which("ovs-appctl") == null ? "ovs-appctl is not installed; " + ToolCheck.installHint("openvswitch-switch") : null;
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        instances.clear();
        OverlayHosts.create(containers, cleanup);
        containers.disableTxChecksumOffload();
        for (final OverlayHosts.Host host : OverlayHosts.HOSTS)
        {
            final PrivateOvs ovs = PrivateOvs.startIn(host.namespace(), workDir, cleanup);
            instances.add(ovs);
            final String underlayMac = ContainerPair.etherAddress(Shell.inNamespace(10, host.namespace(), "ip", "-j", "link", "show", host.underlay())
                .require("ip link show " + host.underlay()).stdout());
            if (underlayMac == null)
            {
                throw new HarnessException("no MAC for " + host.underlay() + " in " + host.namespace());
            }
            for (final List<String> command : vsctlCommands(host, underlayMac))
            {
                ovs.vsctl(command.toArray(new String[0]));
            }
            for (final List<String> command : addressCommands(host))
            {
                Shell.inNamespace(10, host.namespace(), command.toArray(new String[0])).require(String.join(" ", command) + " in " + host.namespace());
            }
            ovs.appctl("ovs/route/add", host.underlayIp() + "/" + OverlayHosts.UNDERLAY_PREFIX_LENGTH, PHYSICAL_BRIDGE);
            ovs.vswitchd().requireAlive();
        }
    }

    /** The ovs-vsctl calls that build {@code host}'s two bridges, in order. */
    static List<List<String>> vsctlCommands(final OverlayHosts.Host host, final String underlayMac)
    {
        return List.of(
            List.of("add-br", INTEGRATION_BRIDGE, "--", "set", "bridge", INTEGRATION_BRIDGE, "datapath_type=netdev"),
            List.of("add-port", INTEGRATION_BRIDGE, host.hostEnd()),
            List.of("add-port", INTEGRATION_BRIDGE, TUNNEL_PORT, "--", "set", "interface", TUNNEL_PORT, "type=vxlan",
                "options:remote_ip=" + host.peerIp(), "options:key=" + OverlayHosts.VNI),
            List.of("add-br", PHYSICAL_BRIDGE, "--", "set", "bridge", PHYSICAL_BRIDGE, "datapath_type=netdev",
                "other_config:hwaddr=" + underlayMac),
            List.of("add-port", PHYSICAL_BRIDGE, host.underlay()));
    }

    /** The host's underlay address moves from the underlay link (now an OVS port) to br-phy, OVS's own. */
    static List<List<String>> addressCommands(final OverlayHosts.Host host)
    {
        final String address = host.underlayIp() + "/" + OverlayHosts.UNDERLAY_PREFIX_LENGTH;
        return List.of(
            List.of("ip", "addr", "flush", "dev", host.underlay()),
            List.of("ip", "addr", "add", address, "dev", PHYSICAL_BRIDGE),
            List.of("ip", "link", "set", PHYSICAL_BRIDGE, "up"));
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        final List<ProcessHandle> processes = new ArrayList<>();
        for (final PrivateOvs ovs : instances)
        {
            processes.add(ovs.vswitchd().handle());
        }
        return processes;
    }
}
