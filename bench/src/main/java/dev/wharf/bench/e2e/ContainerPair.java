package dev.wharf.bench.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The topology every scenario shares: two "containers" (network namespaces {@code wbe-c1} and
 * {@code wbe-c2}, each with {@code eth0} at 10.77.0.1/24 and 10.77.0.2/24) whose veth peers stay
 * on the host as {@code wbe-h1} and {@code wbe-h2} for the switch under test to take as ports.
 * Built fresh for every scenario run so no setting (offloads, learned MACs) leaks between switches.
 * <p>
 * Each namespace holds an idle {@code sleep} process: the harness reads the container's interface
 * counters through that process's {@code /proc/PID/net/dev}, without forking {@code ip netns exec}
 * (tens of milliseconds on a loaded machine, which would skew a rate measured between two reads).
 * <p>
 * A routed scenario moves c1 onto a subnet of its own behind a router ({@link #readdressBehindRouter});
 * c2 stays where it is, as the "outside" server. c2 keeps no route but its own subnet's, so an answer
 * reaching c1 proves the router masqueraded c1's packets to its uplink address.
 */
final class ContainerPair
{
    static final String C1 = HarnessPrefix.name("c1");
    static final String C2 = HarnessPrefix.name("c2");
    static final String HOST_END_1 = HarnessPrefix.name("h1");
    static final String HOST_END_2 = HarnessPrefix.name("h2");
    static final String IP1 = "10.77.0.1";
    static final String IP2 = "10.77.0.2";
    static final String PREFIX_LENGTH = "24";
    static final String DEVICE = "eth0";

    private final Map<String, BackgroundProcess> holders = new HashMap<>();
    private final Cleanup cleanup;
    /** c1's address, and its gateway when it sits behind a router (null on one L2 segment). */
    private String c1Address = IP1;
    private String c1Gateway;

    private ContainerPair(final Cleanup cleanup)
    {
        this.cleanup = cleanup;
    }

    static ContainerPair create(final Path workDir, final Cleanup cleanup)
    {
        final ContainerPair pair = new ContainerPair(cleanup);
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

    /**
     * Sets both containers' {@code eth0} MTU, as an overlay network's containers get theirs (Docker
     * gives them the overlay's, 1450 for VXLAN over a 1500-byte underlay). The pair is rebuilt
     * for every scenario run, so no undo is needed.
     */
    void setMtu(final int mtu)
    {
        for (final String ns : new String[] {C1, C2})
        {
            Shell.inNamespace(10, ns, "ip", "link", "set", DEVICE, "mtu", Integer.toString(mtu)).require("MTU " + mtu + " on eth0 in " + ns);
        }
    }

    /**
     * Makes c1 a container on a routed network: its 10.77.0.1/24 gives way to {@code address/prefix}
     * with a default route via {@code gateway}. The undo (back to 10.77.0.1/24, no default route) is
     * registered with the pair's cleanup, so it runs before the namespace itself goes.
     */
    void readdressBehindRouter(final String address, final String prefixLength, final String gateway)
    {
        Shell.inNamespace(10, C1, "ip", "addr", "flush", "dev", DEVICE).require("flush addresses in " + C1);
        cleanup.add("addressing of " + C1, this::restoreC1);
        Shell.inNamespace(10, C1, "ip", "addr", "add", address + "/" + prefixLength, "dev", DEVICE).require("address in " + C1);
        Shell.inNamespace(10, C1, "ip", "route", "add", "default", "via", gateway, "dev", DEVICE).require("default route in " + C1);
        c1Address = address;
        c1Gateway = gateway;
    }

    private void restoreC1()
    {
        if (c1Gateway == null && IP1.equals(c1Address))
        {
            return;
        }
        Shell.inNamespace(10, C1, "ip", "route", "flush", "dev", DEVICE);
        Shell.inNamespace(10, C1, "ip", "addr", "flush", "dev", DEVICE);
        Shell.inNamespace(10, C1, "ip", "addr", "add", IP1 + "/" + PREFIX_LENGTH, "dev", DEVICE);
        c1Address = IP1;
        c1Gateway = null;
    }

    /** c1's current address: {@link #IP1}, or the one it has behind a router. */
    String c1Address()
    {
        return c1Address;
    }

    /** Whether c1 reaches c2 through a router (so c2 cannot reach c1: it sees only the masquerading address). */
    boolean routed()
    {
        return c1Gateway != null;
    }

    String mac(final String ns)
    {
        final String out = Shell.inNamespace(10, ns, "ip", "-j", "link", "show", DEVICE).require("ip link show in " + ns).stdout();
        final String mac = etherAddress(out);
        if (mac == null)
        {
            throw new HarnessException("no MAC for eth0 in " + ns + ": " + out.strip());
        }
        return mac;
    }

    /** The Ethernet address of the first link in {@code ip -j link show} output, or null when it has none. */
    static String etherAddress(final String ipJsonLinkOutput)
    {
        try
        {
            final JsonElement links = JsonParser.parseString(ipJsonLinkOutput);
            if (links.isJsonArray() && !links.getAsJsonArray().isEmpty() && links.getAsJsonArray().get(0).isJsonObject())
            {
                final JsonObject link = links.getAsJsonArray().get(0).getAsJsonObject();
                final JsonElement type = link.get("link_type");
                final JsonElement address = link.get("address");
                if (type != null && "ether".equals(type.getAsString()) && address != null)
                {
                    return address.getAsString();
                }
            }
        }
        catch (final JsonParseException | IllegalStateException | UnsupportedOperationException e)
        {
            // not ip's JSON: no address in it
        }
        return null;
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
     * Through a router the first pings may be lost while it resolves c2's MAC; they are retried the
     * same way. The ping back from c2 (which teaches a switch c1's MAC first-hand) is sent only on
     * one L2 segment: behind masquerade c1's address cannot be reached from outside.
     */
    void awaitConnectivity(final int timeoutSeconds)
    {
        final long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Shell.Result last = null;
        while (System.nanoTime() < deadline)
        {
            final long attempt = System.nanoTime();
            last = Shell.inNamespace(5, C1, "ping", "-c", "1", "-W", "1", IP2);
            if (last.ok())
            {
                if (!routed())
                {
                    Shell.inNamespace(5, C2, "ping", "-c", "1", "-W", "1", IP1);
                }
                return;
            }
            // "Network is unreachable" and the like fail at once: do not spin
            final long elapsedMs = (System.nanoTime() - attempt) / 1_000_000;
            if (elapsedMs < 200)
            {
                sleepMs(200 - elapsedMs);
            }
        }
        throw new HarnessException("c1 (" + c1Address + ") cannot ping c2 (" + IP2 + ") through the " +
            (routed() ? "router (via " + c1Gateway + ")" : "switch") + " within " + timeoutSeconds + " s" +
            (last == null ? "" : ": " + Shell.firstLine(last.stdout() + last.stderr())));
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new HarnessException("interrupted", e);
        }
    }
}
