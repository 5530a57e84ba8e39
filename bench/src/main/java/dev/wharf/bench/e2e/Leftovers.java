package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The safety net behind {@link Cleanup}: removes network namespaces and links whose names start
 * with {@code wbe}, the prefix only this harness uses. Run before the first scenario (a previous
 * run killed with SIGKILL cannot have cleaned up) and after the last.
 */
final class Leftovers
{
    static final String PREFIX = "wbe";

    private Leftovers()
    {
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
        final List<String> found = new ArrayList<>();
        for (final String line : Shell.run(10, "ip", "-o", "link", "show").stdout().split("\n"))
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
}
