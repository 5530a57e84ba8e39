package dev.wharf.io;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces and links one test builds, all named with a three-letter prefix ({@code wta}, or
 * {@code wtb} for the AF_PACKET ring suites) plus a random token (names stay under IFNAMSIZ), torn down
 * by {@link #close()} in reverse order even after a failure.
 */
final class Topology implements AutoCloseable
{
    final String token = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    private final String prefix;
    private final Deque<String[]> undo = new ArrayDeque<>();

    Topology()
    {
        this("wta");
    }

    Topology(final String prefix)
    {
        this.prefix = prefix;
    }

    /** A name for a namespace or link: {@code <prefix><token><suffix>}. */
    String name(final String suffix)
    {
        return prefix + token + suffix;
    }

    String namespace(final String suffix)
    {
        final String name = prefix + "-" + token + "-" + suffix;
        Shell.run("ip", "netns", "add", name);
        undo.push(new String[] {"ip", "netns", "del", name});
        return name;
    }

    /** A veth pair: {@code host} stays here, {@code peer} goes into {@code namespace} with {@code cidr}. */
    void veth(final String host, final String peer, final String namespace, final String cidr)
    {
        Shell.run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
        undo.push(new String[] {"ip", "link", "del", host});
        Shell.run("ip", "link", "set", peer, "netns", namespace);
        Shell.run("ip", "link", "set", host, "up");
        configure(namespace, peer, cidr);
    }

    /** Addresses and brings up {@code link} inside {@code namespace}, and its loopback. */
    void configure(final String namespace, final String link, final String cidr)
    {
        Shell.run(Shell.inNamespace(namespace, "ip", "addr", "add", cidr, "dev", link));
        Shell.run(Shell.inNamespace(namespace, "ip", "link", "set", link, "up"));
        Shell.run(Shell.inNamespace(namespace, "ip", "link", "set", "lo", "up"));
    }

    /** Remembers to delete a link this test created some other way. */
    void deleteLater(final String link)
    {
        undo.push(new String[] {"ip", "link", "del", link});
    }

    String mac(final String namespace, final String link)
    {
        final String out = namespace == null ?
            Shell.run("cat", "/sys/class/net/" + link + "/address") :
            Shell.run(Shell.inNamespace(namespace, "cat", "/sys/class/net/" + link + "/address"));
        return out.trim();
    }

    @Override
    public void close()
    {
        while (!undo.isEmpty())
        {
            Shell.tryRun(20, undo.pop());
        }
    }
}
