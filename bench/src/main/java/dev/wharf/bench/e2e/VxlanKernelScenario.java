package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Anchor for the overlay: the kernel's VXLAN device, as Docker Swarm's overlay driver sets it up.
 * On each of the {@link OverlayHosts} a Linux bridge {@value #BRIDGE} holds the container's host
 * end and a vxlan device {@value #VXLAN} (VNI 42, UDP 4789, from the host's underlay address to
 * its peer's):
 * <pre>
 * ip link add vx0 type vxlan id 42 dstport 4789 local 10.79.0.1 remote 10.79.0.2 dev wbe-ua
 * ip link add br0 type bridge; ip link set wbe-h1 master br0; ip link set vx0 master br0
 * </pre>
 * (and the mirror on B). With a single remote the device floods to it and learns the far
 * container's MAC behind it. Encapsulation, bridging and decapsulation run in softirq context:
 * no process to charge CPU to.
 */
final class VxlanKernelScenario implements Scenario
{
    static final String BRIDGE = "br0";
    static final String VXLAN = "vx0";

    @Override
    public String id()
    {
        return "vxlan-kernel";
    }

    @Override
    public String description()
    {
        return "Linux bridge + kernel vxlan device on each host (VNI " + OverlayHosts.VNI + ", UDP " + OverlayHosts.VXLAN_PORT +
            ", remote = the other host), as Docker Swarm's overlay driver; " + OverlayHosts.topology() + "; offloads at their defaults";
    }

    @Override
    public Kind kind()
    {
        return Kind.OVERLAY;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        return 3;
    }

    @Override
    public String unavailableReason()
    {
        return null;
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        OverlayHosts.create(containers, cleanup);
        for (final OverlayHosts.Host host : OverlayHosts.HOSTS)
        {
            // the devices live and die with the host namespace: no undo of their own
            for (final List<String> command : commands(host))
            {
                Shell.inNamespace(10, host.namespace(), command.toArray(new String[0]))
                    .require(String.join(" ", command) + " in " + host.namespace());
            }
        }
    }

    /** The commands run in {@code host}'s namespace, in order. */
    static List<List<String>> commands(final OverlayHosts.Host host)
    {
        return List.of(
            List.of("ip", "link", "add", VXLAN, "type", "vxlan", "id", Integer.toString(OverlayHosts.VNI),
                "dstport", Integer.toString(OverlayHosts.VXLAN_PORT), "local", host.underlayIp(), "remote", host.peerIp(),
                "dev", host.underlay()),
            List.of("ip", "link", "add", BRIDGE, "type", "bridge"),
            List.of("ip", "link", "set", host.hostEnd(), "master", BRIDGE),
            List.of("ip", "link", "set", VXLAN, "master", BRIDGE),
            List.of("ip", "link", "set", VXLAN, "up"),
            List.of("ip", "link", "set", BRIDGE, "up"));
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return List.of();
    }
}
