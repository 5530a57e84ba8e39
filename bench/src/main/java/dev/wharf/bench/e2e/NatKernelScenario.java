package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Anchor for the routed path: what Docker does for a container on its default network. The root
 * namespace plays the host: a Linux bridge {@code wbe-natbr} with the containers' gateway
 * 10.76.0.254/24 holds {@code wbe-h1}; {@code wbe-h2} is the uplink with 10.77.0.254/24;
 * {@code net.ipv4.ip_forward=1}; and a table of the harness's own masquerades the container
 * subnet out of the uplink:
 * <pre>
 * table ip wbe-nat {
 *     chain postrouting { type nat hook postrouting priority srcnat; ip saddr 10.76.0.0/24 oifname "wbe-h2" masquerade }
 * }
 * </pre>
 * c1 becomes 10.76.0.1/24 with a default route via 10.76.0.254; c2 stays 10.77.0.2/24 as the
 * outside server and needs no route back: it sees 10.77.0.254 on its own subnet. Forwarding and
 * NAT run in the kernel's softirq context: no process to charge CPU to.
 */
final class NatKernelScenario implements Scenario
{
    static final String BRIDGE = HarnessPrefix.name("natbr");
    static final String CONTAINER_SUBNET = "10.76.0.0/24";
    static final String CONTAINER_IP = "10.76.0.1";
    static final String BRIDGE_IP = "10.76.0.254";
    static final String UPLINK_IP = "10.77.0.254";
    static final String TABLE = HarnessPrefix.name("nat");

    @Override
    public String id()
    {
        return "nat-kernel";
    }

    @Override
    public String description()
    {
        return "Linux routing + nftables masquerade (kernel), as Docker's default network: c1 on bridge " + BRIDGE + " (" +
            BRIDGE_IP + "/24), uplink " + ContainerPair.HOST_END_2 + " (" + UPLINK_IP + "/24), ip_forward=1, table ip " + TABLE +
            " masquerading " + CONTAINER_SUBNET + " out of " + ContainerPair.HOST_END_2 + "; veth offloads at their defaults";
    }

    @Override
    public Kind kind()
    {
        return Kind.ROUTED;
    }

    @Override
    public String unavailableReason()
    {
        if (Shell.which("nft") == null)
        {
            return "nft is not installed; " + ToolCheck.installHint("nftables");
        }
        final Shell.Result list = Shell.run(10, "nft", "list", "tables");
        if (!list.ok())
        {
            return "nft cannot talk to the kernel's nftables: " + Shell.firstLine(list.stderr() + list.stdout());
        }
        return null;
    }

    @Override
    public void setUp(final ContainerPair containers, final Path workDir, final Cleanup cleanup)
    {
        // the bridge holding the container's host end, with the container network's gateway address
        Shell.run(10, "ip", "link", "add", BRIDGE, "type", "bridge").require("create bridge " + BRIDGE);
        cleanup.add("bridge " + BRIDGE, () -> Shell.run(10, "ip", "link", "del", BRIDGE));
        Shell.run(10, "sysctl", "-qw", "net.ipv6.conf." + BRIDGE + ".disable_ipv6=1");
        Shell.run(10, "ip", "addr", "add", BRIDGE_IP + "/" + ContainerPair.PREFIX_LENGTH, "dev", BRIDGE)
            .require("address " + BRIDGE_IP + " on " + BRIDGE);
        Shell.run(10, "ip", "link", "set", BRIDGE, "up").require("bridge up");
        Shell.run(10, "ip", "link", "set", ContainerPair.HOST_END_1, "master", BRIDGE)
            .require("attach " + ContainerPair.HOST_END_1 + " to " + BRIDGE);

        // the uplink: the host's address on the outside subnet
        Shell.run(10, "ip", "addr", "add", UPLINK_IP + "/" + ContainerPair.PREFIX_LENGTH, "dev", ContainerPair.HOST_END_2)
            .require("address " + UPLINK_IP + " on " + ContainerPair.HOST_END_2);
        cleanup.add("address " + UPLINK_IP + " on " + ContainerPair.HOST_END_2, () -> Shell.run(10, "ip", "addr", "del",
            UPLINK_IP + "/" + ContainerPair.PREFIX_LENGTH, "dev", ContainerPair.HOST_END_2));

        IpForward.enable(cleanup);
        masquerade(workDir, cleanup);
        containers.readdressBehindRouter(CONTAINER_IP, ContainerPair.PREFIX_LENGTH, BRIDGE_IP);
    }

    /** The ruleset, loaded in one transaction from a file (kept in the work directory for the logs). */
    static String ruleset()
    {
        return "table ip " + TABLE + " {\n" +
            "    chain postrouting {\n" +
            "        type nat hook postrouting priority srcnat; policy accept;\n" +
            "        ip saddr " + CONTAINER_SUBNET + " oifname \"" + ContainerPair.HOST_END_2 + "\" masquerade\n" +
            "    }\n" +
            "}\n";
    }

    private static void masquerade(final Path workDir, final Cleanup cleanup)
    {
        final Path file = workDir.resolve("nat-kernel.nft");
        try
        {
            Files.writeString(file, ruleset());
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot write " + file + ": " + e.getMessage(), e);
        }
        // registered before the load: whatever part of it got in (or a table of the same name) goes too
        cleanup.add("nft table ip " + TABLE, () ->
        {
            if (Shell.run(10, "nft", "list", "table", "ip", TABLE).ok())
            {
                Shell.run(10, "nft", "delete", "table", "ip", TABLE);
            }
        });
        Shell.run(10, "nft", "-f", file.toString()).require("nft -f " + file);
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return List.of();
    }
}
