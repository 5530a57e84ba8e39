package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Anchor for the load balancer: kube-proxy's nftables mode, in the router namespace of {@link LbTopology}.
 * {@code wbe-h1} carries the client's gateway 10.76.0.254/24; a Linux bridge {@code wbe-lbbr} with 10.77.0.254/24
 * holds the backends' host ends; {@code net.ipv4.ip_forward=1} in that namespace only (the host's own setting is
 * untouched). The ruleset has kube-proxy's shape: a verdict map of service addresses jumped to from the nat
 * prerouting hook, a chain per service that picks an endpoint with {@code numgen random mod 3}, and a chain per
 * endpoint that DNATs to it:
 * <pre>
 * table ip wbe-lb {
 *     map service-ips { type ipv4_addr . inet_proto . inet_service : verdict }
 *     chain endpoint-web-1 { meta l4proto tcp dnat to 10.77.0.2:8080 }   ... -2, -3
 *     chain service-web { numgen random mod 3 vmap { 0 : goto endpoint-web-1, 1 : goto endpoint-web-2, 2 : goto endpoint-web-3 } }
 *     chain service-iperf { meta l4proto tcp dnat to 10.77.0.2:5201 }
 *     chain prerouting { type nat hook prerouting priority dstnat; ip daddr . meta l4proto . th dport vmap @service-ips }
 * }
 * </pre>
 * The backends route back through the router, so no masquerade is needed (kube-proxy masquerades only hairpin and
 * off-cluster traffic). Forwarding and NAT run in softirq: no process to charge CPU to.
 */
final class LbKernelScenario implements Scenario
{
    static final String BRIDGE = HarnessPrefix.name("lbbr");
    static final String TABLE = HarnessPrefix.name("lb");

    @Override
    public String id()
    {
        return "lb-kernel";
    }

    @Override
    public String description()
    {
        return "kube-proxy's nftables mode (kernel): table ip " + TABLE + " in " + LbTopology.ROUTER + ", VIP " + LbTopology.VIP + ":" +
            LbTopology.WEB_PORT + " DNATed to one of three backends by numgen random mod 3 (a chain per endpoint), :" +
            LbTopology.IPERF_PORT + " to c2 alone; client side " + ContainerPair.HOST_END_1 + " " + LbTopology.CLIENT_GATEWAY +
            "/24, backends on bridge " + BRIDGE + " " + LbTopology.BACKEND_GATEWAY + "/24, ip_forward=1 in the namespace, no masquerade; " +
            LbTopology.summary() + "; veth offloads at their defaults";
    }

    @Override
    public Kind kind()
    {
        return Kind.LOAD_BALANCED;
    }

    @Override
    public double estimatedSetupSeconds()
    {
        return 4;
    }

    @Override
    public String unavailableReason()
    {
        final String tools = LbTopology.missingTools();
        if (tools != null)
        {
            return tools;
        }
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
        LbTopology.create(containers, workDir, cleanup);
        for (final List<String> command : routerCommands())
        {
            Shell.inNamespace(10, LbTopology.ROUTER, command.toArray(new String[0])).require(String.join(" ", command) + " in " + LbTopology.ROUTER);
        }
        final Path file = workDir.resolve("lb-kernel.nft");
        try
        {
            Files.writeString(file, ruleset());
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot write " + file + ": " + e.getMessage(), e);
        }
        // the table lives in the router namespace and goes with it
        Shell.inNamespace(10, LbTopology.ROUTER, "nft", "-f", file.toString()).require("nft -f " + file + " in " + LbTopology.ROUTER);
        LbTopology.awaitEveryBackend(20);
    }

    /** The router's addressing and forwarding, run inside its namespace in order. */
    static List<List<String>> routerCommands()
    {
        final List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("ip", "addr", "add", LbTopology.CLIENT_GATEWAY + "/" + ContainerPair.PREFIX_LENGTH, "dev", ContainerPair.HOST_END_1));
        commands.add(List.of("ip", "link", "add", BRIDGE, "type", "bridge"));
        commands.add(List.of("ip", "addr", "add", LbTopology.BACKEND_GATEWAY + "/" + ContainerPair.PREFIX_LENGTH, "dev", BRIDGE));
        commands.add(List.of("ip", "link", "set", BRIDGE, "up"));
        for (final LbTopology.Backend backend : LbTopology.BACKENDS)
        {
            commands.add(List.of("ip", "link", "set", backend.hostEnd(), "master", BRIDGE));
        }
        commands.add(List.of("sysctl", "-qw", "net.ipv4.ip_forward=1"));
        return commands;
    }

    /** kube-proxy's nftables-mode ruleset for the two services, loaded in one transaction. */
    static String ruleset()
    {
        final StringBuilder nft = new StringBuilder("table ip " + TABLE + " {\n");
        nft.append("    map service-ips {\n        type ipv4_addr . inet_proto . inet_service : verdict\n    }\n");
        final StringBuilder picks = new StringBuilder();
        for (int i = 0; i < LbTopology.BACKENDS.size(); i++)
        {
            final String chain = "endpoint-web-" + (i + 1);
            nft.append("    chain ").append(chain).append(" {\n        meta l4proto tcp dnat to ")
                .append(LbTopology.BACKENDS.get(i).ip()).append(':').append(LbTopology.BACKEND_PORT).append("\n    }\n");
            picks.append(i == 0 ? "" : ", ").append(i).append(" : goto ").append(chain);
        }
        nft.append("    chain service-web {\n        numgen random mod ").append(LbTopology.BACKENDS.size()).append(" vmap { ")
            .append(picks).append(" }\n    }\n");
        nft.append("    chain service-iperf {\n        meta l4proto tcp dnat to ").append(LbTopology.BACKENDS.get(0).ip()).append(':')
            .append(LbTopology.IPERF_PORT).append("\n    }\n");
        nft.append("    chain prerouting {\n        type nat hook prerouting priority dstnat; policy accept;\n")
            .append("        ip daddr . meta l4proto . th dport vmap @service-ips\n    }\n");
        nft.append("}\n");
        nft.append("add element ip ").append(TABLE).append(" service-ips { ")
            .append(LbTopology.VIP).append(" . tcp . ").append(LbTopology.WEB_PORT).append(" : goto service-web, ")
            .append(LbTopology.VIP).append(" . tcp . ").append(LbTopology.IPERF_PORT).append(" : goto service-iperf }\n");
        return nft.toString();
    }

    @Override
    public List<ProcessHandle> switchProcesses()
    {
        return List.of();
    }
}
