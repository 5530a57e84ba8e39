package dev.wharf.control.e2e;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network namespaces ("containers") and veth pairs made by one test, removed by {@link #close()}
 * even when the test failed. Names carry the test's prefix so concurrent suites never collide.
 * For overlays a namespace may also be a host (its own daemon, see
 * {@link WharfDaemonProcess#inNamespace}): {@link #link} joins two of them by a veth underlay, and
 * {@link #containerOn} puts a container's host end into one. Links inside namespaces go with them.
 */
public final class Topology implements AutoCloseable
{
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final String prefix;
    private final Deque<String> namespaces = new ArrayDeque<>();
    private final Deque<String> links = new ArrayDeque<>();

    public Topology(final String prefix)
    {
        this.prefix = prefix;
    }

    public String name(final String suffix)
    {
        return prefix + "-" + suffix;
    }

    /** Creates namespace {@code prefix-name} with loopback up and IPv6 off (no background ND noise). */
    public String namespace(final String name)
    {
        final String ns = name(name);
        Host.run(10, "ip", "netns", "del", ns);
        Host.run(10, "ip", "netns", "add", ns).assertOk("ip netns add " + ns);
        namespaces.push(ns);
        exec(ns, "ip", "link", "set", "lo", "up").assertOk("lo up");
        exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        exec(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /**
     * A container: namespace {@code ns} with {@code eth0} at {@code cidr}, whose peer stays on the host
     * as {@code hostEnd} for Wharf to attach. Returns the host end's name.
     */
    public String container(final String ns, final String hostEnd, final String cidr, final String gateway)
    {
        Host.run(10, "ip", "link", "del", hostEnd);
        Host.run(10, "ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns)
            .assertOk("veth " + hostEnd);
        links.push(hostEnd);
        // a switch port has no L3 presence: without this the host kernel sends router solicitations out of the
        // host end straight to the container, frames that never pass through the switch
        Host.run(10, "sysctl", "-qw", "net.ipv6.conf." + hostEnd + ".disable_ipv6=1").assertOk("IPv6 off on " + hostEnd);
        Host.run(10, "ip", "link", "set", hostEnd, "up").assertOk("up " + hostEnd);
        configureInterface(ns, "eth0", cidr, gateway);
        return hostEnd;
    }

    /**
     * A container on a host that is itself a namespace: {@code eth0} in {@code ns} at {@code cidr} with
     * MTU {@code mtu}, its peer {@code hostEnd} up in {@code hostNs} for that host's Wharf to attach.
     * Both ends vanish with their namespaces. Returns the host end's name.
     */
    public String containerOn(final String hostNs, final String ns, final String hostEnd, final String cidr, final int mtu)
    {
        Host.run(10, "ip", "link", "add", hostEnd, "netns", hostNs, "type", "veth", "peer", "name", "eth0", "netns", ns)
            .assertOk("veth " + hostEnd + " in " + hostNs);
        // the host namespace has IPv6 off by default (namespace()): the host end sends nothing of its own
        exec(hostNs, "ip", "link", "set", hostEnd, "up").assertOk("up " + hostEnd);
        exec(ns, "ip", "link", "set", "eth0", "mtu", String.valueOf(mtu)).assertOk("mtu " + mtu + " in " + ns);
        configureInterface(ns, "eth0", cidr, null);
        return hostEnd;
    }

    /**
     * A veth pair between two namespaces, each end up with its address: the underlay link between two
     * hosts, or a host's leg to an underlay switch (give a null address for an end that is a bridge port).
     */
    public void link(final String nsA, final String devA, final String cidrA, final String nsB, final String devB, final String cidrB)
    {
        Host.run(10, "ip", "link", "add", devA, "netns", nsA, "type", "veth", "peer", "name", devB, "netns", nsB)
            .assertOk("veth " + devA + " <-> " + devB);
        for (final String[] end : new String[][]{{nsA, devA, cidrA}, {nsB, devB, cidrB}})
        {
            if (end[2] != null)
            {
                exec(end[0], "ip", "addr", "add", end[2], "dev", end[1]).assertOk("addr " + end[2]);
            }
            exec(end[0], "ip", "link", "set", end[1], "up").assertOk("up " + end[1]);
        }
    }

    /** A Linux bridge {@code name} in {@code ns}, up, with {@code members} (interfaces of {@code ns}) enslaved. */
    public void bridge(final String ns, final String name, final String... members)
    {
        exec(ns, "ip", "link", "add", name, "type", "bridge").assertOk("bridge " + name);
        for (final String member : members)
        {
            exec(ns, "ip", "link", "set", member, "master", name).assertOk(member + " into " + name);
        }
        exec(ns, "ip", "link", "set", name, "up").assertOk("up " + name);
    }

    /** Puts a TAP device Wharf created into namespace {@code ns} as its interface, with an address. */
    public void adoptTap(final String ns, final String tap, final String cidr, final String gateway)
    {
        Host.run(10, "ip", "link", "set", tap, "netns", ns).assertOk("move " + tap + " to " + ns);
        configureInterface(ns, tap, cidr, gateway);
    }

    private void configureInterface(final String ns, final String dev, final String cidr, final String gateway)
    {
        exec(ns, "ip", "addr", "add", cidr, "dev", dev).assertOk("addr " + cidr);
        exec(ns, "ip", "link", "set", dev, "up").assertOk("up " + dev);
        if (gateway != null)
        {
            exec(ns, "ip", "route", "add", "default", "via", gateway).assertOk("default route");
        }
    }

    public String mac(final String ns, final String dev)
    {
        final String out = exec(ns, "ip", "link", "show", dev).assertOk("ip link show").stdout();
        final Matcher m = MAC.matcher(out);
        if (!m.find())
        {
            throw new IllegalStateException("no MAC for " + dev + " in " + ns + ": " + out);
        }
        return m.group(1);
    }

    public Host.Result exec(final String ns, final String... command)
    {
        return exec(30, ns, command);
    }

    public Host.Result exec(final int timeoutSeconds, final String ns, final String... command)
    {
        final String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return Host.run(timeoutSeconds, full);
    }

    public Host.Result sh(final int timeoutSeconds, final String ns, final String script)
    {
        return exec(timeoutSeconds, ns, "/bin/sh", "-c", script);
    }

    /** ping: {@code count} echoes, returns whether all were answered. */
    public boolean ping(final String ns, final String address, final int count)
    {
        return exec(count * 2 + 10, ns, "ping", "-c", String.valueOf(count), "-i", "0.2", "-W", "2", address).exitCode() == 0;
    }

    /** Kills every process left in our namespaces, then removes them and the host ends of veths. */
    @Override
    public void close()
    {
        for (final String ns : namespaces)
        {
            Host.sh(10, "ip netns pids " + ns + " | xargs -r kill -9");
        }
        while (!links.isEmpty())
        {
            Host.run(10, "ip", "link", "del", links.pop());
        }
        while (!namespaces.isEmpty())
        {
            Host.run(10, "ip", "netns", "del", namespaces.pop());
        }
    }
}
