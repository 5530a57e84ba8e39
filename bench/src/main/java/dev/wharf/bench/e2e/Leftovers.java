package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The safety net behind {@link Cleanup}: removes what a run killed with SIGKILL (or a bug) can
 * have left on the host. Run before the first scenario and after the last. Its prefix is {@code wbe} unless
 * {@link HarnessPrefix} names another (then read {@code wbe} below as that one). It knows:
 * <ul>
 *   <li>network namespaces and links whose names start with {@code wbe}, the prefix only this
 *       harness uses (deleting a bridge such as {@code wbe-natbr} takes its 10.76.0.254 with it);</li>
 *   <li>nftables tables named {@code wbe-*} ({@code ip wbe-nat}, the kernel masquerade anchor's);</li>
 *   <li>{@code net.ipv4.ip_forward} changed by a routed scenario and not yet restored
 *       ({@link IpForward} keeps the previous value in a file until it has put it back);</li>
 *   <li>the harness's routed-side addresses (10.76.0.254, 10.77.0.254) on a link not named
 *       {@code wbe*}: reported, never removed, since such a link is not the harness's.</li>
 * </ul>
 */
final class Leftovers
{
    static final String PREFIX = HarnessPrefix.VALUE;

    /** The addresses routed scenarios give the host side; found outside a {@code wbe*} link, they are reported. */
    static final List<String> HOST_ADDRESSES = List.of(NatKernelScenario.BRIDGE_IP, NatKernelScenario.UPLINK_IP);

    private Leftovers()
    {
    }

    /** Everything {@link #sweep} would remove or restore, and the foreign addresses it only reports; empty on a clean host. */
    static List<String> found()
    {
        final List<String> found = new ArrayList<>();
        namespaces().forEach(ns -> found.add("namespace " + ns));
        links().forEach(link -> found.add("link " + link));
        nftTables().forEach(table -> found.add("nft table " + table));
        final String forward = IpForward.savedValue();
        if (forward != null)
        {
            found.add("net.ipv4.ip_forward (to restore to " + forward + ")");
        }
        foreignAddresses().forEach(address -> found.add("address " + address + " (not removed: not on a " + PREFIX + " link)"));
        return found;
    }

    static void sweep()
    {
        for (final String ns : namespaces())
        {
            Shell.run(10, "/bin/sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9");
            Shell.run(10, "ip", "netns", "del", ns);
        }
        for (final String link : links())
        {
            Shell.run(10, "ip", "link", "del", link);
        }
        for (final String table : nftTables())
        {
            // "ip wbe-nat": family and name, as nft delete table takes them
            final List<String> command = new ArrayList<>(List.of("nft", "delete", "table"));
            command.addAll(List.of(table.split(" ")));
            Shell.run(10, Map.of(), command);
        }
        IpForward.restoreSaved();
    }

    static List<String> namespaces()
    {
        final List<String> found = new ArrayList<>();
        for (final String line : Shell.run(10, "ip", "netns", "list").stdout().split("\n"))
        {
            final String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX + "-"))
            {
                found.add(name);
            }
        }
        return found;
    }

    static List<String> links()
    {
        return linkNames(Shell.run(10, "ip", "-o", "link", "show").stdout());
    }

    /** The {@code wbe*} link names in {@code ip -o link show} output. */
    static List<String> linkNames(final String ipLinkOutput)
    {
        final List<String> found = new ArrayList<>();
        for (final String line : ipLinkOutput.split("\n"))
        {
            // "7: wbe-h1@if6: <BROADCAST,...": the name sits between the index and the first ':' or '@'
            final String[] parts = line.split(":\\s+", 3);
            if (parts.length < 2)
            {
                continue;
            }
            final String name = parts[1].split("@")[0];
            if (name.startsWith(PREFIX))
            {
                found.add(name);
            }
        }
        return found;
    }

    /** The harness's nftables tables, as "family name" ({@code ip wbe-nat}); none when nft is not installed. */
    static List<String> nftTables()
    {
        if (Shell.which("nft") == null)
        {
            return List.of();
        }
        return nftTableNames(Shell.run(10, "nft", "list", "tables").stdout());
    }

    /** The {@code wbe-*} tables in {@code nft list tables} output ("table ip wbe-nat" lines). */
    static List<String> nftTableNames(final String nftListTablesOutput)
    {
        final List<String> found = new ArrayList<>();
        for (final String line : nftListTablesOutput.split("\n"))
        {
            final String[] words = line.strip().split("\\s+");
            if (words.length == 3 && words[0].equals("table") && words[2].startsWith(PREFIX + "-"))
            {
                found.add(words[1] + " " + words[2]);
            }
        }
        return found;
    }

    /** The harness's host-side addresses found on links it does not own. */
    static List<String> foreignAddresses()
    {
        return foreignAddresses(Shell.run(10, "ip", "-o", "-4", "addr", "show").stdout());
    }

    /** From {@code ip -o -4 addr show} output: "10.76.0.254/24 on eth3" for each harness address not on a {@code wbe*} link. */
    static List<String> foreignAddresses(final String ipAddrOutput)
    {
        final List<String> found = new ArrayList<>();
        for (final String line : ipAddrOutput.split("\n"))
        {
            // "5: wbe-natbr    inet 10.76.0.254/24 scope global wbe-natbr\       valid_lft ..."
            final String[] words = line.strip().split("\\s+");
            if (words.length < 4 || !words[2].equals("inet"))
            {
                continue;
            }
            final String link = words[1].split("@")[0];
            final String address = words[3];
            final String ip = address.split("/")[0];
            if (HOST_ADDRESSES.contains(ip) && !link.startsWith(PREFIX))
            {
                found.add(address + " on " + link);
            }
        }
        return found;
    }
}
