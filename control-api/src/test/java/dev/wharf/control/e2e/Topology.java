package dev.wharf.control.e2e;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network namespaces ("containers") and veth pairs made by one test, removed by {@link #close()}
 * even when the test failed. Names carry the test's prefix so concurrent suites never collide.
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
