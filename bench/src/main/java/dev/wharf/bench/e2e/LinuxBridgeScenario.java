package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * Anchor: the Linux bridge, as Docker's default network uses it. Its forwarding runs in the
 * kernel's softirq context, so it has no process of its own to charge CPU to.
 */
final class LinuxBridgeScenario implements Scenario
{
    static final String BRIDGE = HarnessPrefix.name("br");

    @Override
    public String id()
    {
        return "bridge";
    }

    @Override
    public String description()
    {
        return "Linux bridge (kernel), veth offloads at their defaults";
    }

    @Override
    public String unavailableReason()
    {
        return null;
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        Shell.run(10, "ip", "link", "add", BRIDGE, "type", "bridge").require("create bridge " + BRIDGE);
        cleanup.add("bridge " + BRIDGE, () -> Shell.run(10, "ip", "link", "del", BRIDGE));
        Shell.run(10, "sysctl", "-qw", "net.ipv6.conf." + BRIDGE + ".disable_ipv6=1");
        Shell.run(10, "ip", "link", "set", BRIDGE, "up").require("bridge up");
        for (final String port : new String[] {ContainerPair.HOST_END_1, ContainerPair.HOST_END_2})
        {
            Shell.run(10, "ip", "link", "set", port, "master", BRIDGE).require("attach " + port + " to " + BRIDGE);
        }
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return List.of();
    }
}
