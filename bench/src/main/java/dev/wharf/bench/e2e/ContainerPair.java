package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The topology every scenario shares: two "containers" (network namespaces {@code wbe-c1} and
 * {@code wbe-c2}, each with {@code eth0} at 10.77.0.1/24 and 10.77.0.2/24) whose veth peers stay
 * on the host as {@code wbe-h1} and {@code wbe-h2} for the switch under test to take as ports.
 * Built fresh for every scenario run so no setting (offloads, learned MACs) leaks between switches.
 * <p>
 * Each namespace holds an idle {@code sleep} process: the harness reads the container's interface
 * counters through that process's {@code /proc/PID/net/dev}, without forking {@code ip netns exec}
 * (tens of milliseconds on a loaded machine, which would skew a rate measured between two reads).
 */
final class ContainerPair
{
    static final String C1 = "wbe-c1";
    static final String C2 = "wbe-c2";
    static final String HOST_END_1 = "wbe-h1";
    static final String HOST_END_2 = "wbe-h2";
    static final String IP1 = "10.77.0.1";
    static final String IP2 = "10.77.0.2";
    static final String PREFIX_LENGTH = "24";
    static final String DEVICE = "eth0";

    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final Map<String, BackgroundProcess> holders = new HashMap<>();

    private ContainerPair()
    {
    }

    static ContainerPair create(final Path workDir, final Cleanup cleanup)
    {
        final ContainerPair pair = new ContainerPair();
        pair.container(workDir, cleanup, C1, HOST_END_1, IP1);
        pair.container(workDir, cleanup, C2, HOST_END_2, IP2);
        return pair;
    }

    private void container(final Path workDir, final Cleanup cleanup, final String ns, final String hostEnd, final String ip)
    {
        Shell.run(10, "ip", "netns", "add", ns).require("ip netns add " + ns);
        cleanup.add("namespace " + ns, () ->
        {
            Shell.run(10, "/bin/sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9");
            Shell.run(10, "ip", "netns", "del", ns);
        });
        Shell.run(10, "ip", "link", "add", hostEnd, "type", "veth", "peer", "name", DEVICE, "netns", ns)
            .require("veth " + hostEnd);
        cleanup.add("link " + hostEnd, () -> Shell.run(10, "ip", "link", "del", hostEnd));
        // IPv6 off: no router solicitations or DAD probes in the counters being measured
        Shell.run(10, "sysctl", "-qw", "net.ipv6.conf." + hostEnd + ".disable_ipv6=1");
        Shell.run(10, "ip", "link", "set", hostEnd, "up").require("up " + hostEnd);
        Shell.inNamespace(10, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        Shell.inNamespace(10, ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        Shell.inNamespace(10, ns, "ip", "link", "set", "lo", "up").require("lo up in " + ns);
        Shell.inNamespace(10, ns, "ip", "addr", "add", ip + "/" + PREFIX_LENGTH, "dev", DEVICE).require("address in " + ns);
        Shell.inNamespace(10, ns, "ip", "link", "set", DEVICE, "up").require("eth0 up in " + ns);
        holders.put(ns, BackgroundProcess.start("namespace holder in " + ns, List.of("ip", "netns", "exec", ns, "sleep", "86400"),
            Map.of(), workDir.resolve(ns + "-holder.log"), cleanup));
    }

    /**
     * Turns transmit checksum offload off in both containers: OVS's userspace datapath without its
     * TSO support forwards the veths' partial checksums unfilled and TCP never connects.
     */
    void disableTxChecksumOffload()
    {
        for (final String ns : new String[] {C1, C2})
        {
            Shell.inNamespace(10, ns, "ethtool", "-K", DEVICE, "tx", "off").require("ethtool -K eth0 tx off in " + ns);
        }
    }

    String mac(final String ns)
    {
        final String out = Shell.inNamespace(10, ns, "ip", "link", "show", DEVICE).require("ip link show in " + ns).stdout();
        final Matcher m = MAC.matcher(out);
        if (!m.find())
        {
            throw new HarnessException("no MAC for eth0 in " + ns + ": " + out.strip());
        }
        return m.group(1);
    }

    /** Packets received by the container's eth0. */
    long rxPackets(final String ns)
    {
        return netDevField(ns, 1);
    }

    /** Packets sent by the container's eth0. */
    long txPackets(final String ns)
    {
        return netDevField(ns, 9);
    }

    /** A field of eth0's line in the namespace's {@code /proc/net/dev}: 1 is rx packets, 9 tx packets. */
    private long netDevField(final String ns, final int field)
    {
        final BackgroundProcess holder = holders.get(ns);
        holder.requireAlive();
        final String table;
        try
        {
            table = Files.readString(Path.of("/proc", Long.toString(holder.pid()), "net", "dev"));
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot read the counters of " + ns + ": " + e.getMessage(), e);
        }
        for (final String line : table.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(DEVICE))
            {
                // "  eth0: rxBytes rxPackets ... (8 rx fields) txBytes txPackets ..."
                return Long.parseLong(line.substring(colon + 1).strip().split("\\s+")[field]);
            }
        }
        throw new HarnessException("no " + DEVICE + " in " + ns + "'s /proc/net/dev");
    }

    /**
     * Pings c2 from c1 until it answers, at most {@code timeoutSeconds}: a switch that has just
     * started may still be adding its ports, and the answer teaches it both MACs before measuring.
     */
    void awaitConnectivity(final int timeoutSeconds)
    {
        final long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Shell.Result last = null;
        while (System.nanoTime() < deadline)
        {
            last = Shell.inNamespace(5, C1, "ping", "-c", "1", "-W", "1", IP2);
            if (last.ok())
            {
                Shell.inNamespace(5, C2, "ping", "-c", "1", "-W", "1", IP1);
                return;
            }
        }
        throw new HarnessException("c1 cannot ping c2 through the switch within " + timeoutSeconds + " s" +
            (last == null ? "" : ": " + Shell.firstLine(last.stdout() + last.stderr())));
    }
}
