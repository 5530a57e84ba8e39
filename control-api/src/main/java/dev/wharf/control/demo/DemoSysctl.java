package dev.wharf.control.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a kernel parameter as {@code sysctl -w} does, so that the demo needs no procps: in the host's
 * namespace from the demo's own process ({@link #write}), in a container's namespace as a main run there
 * ({@code ip netns exec NS java -cp wharf.jar dev.wharf.control.demo.DemoSysctl KEY VALUE}); the kernel
 * resolves {@code /proc/sys/net} in the namespace of the process that opens it.
 */
public final class DemoSysctl
{
    private DemoSysctl()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length != 2)
        {
            System.err.println("usage: DemoSysctl KEY VALUE");
            System.exit(2);
        }
        try
        {
            write(args[0], args[1]);
        }
        catch (final IOException e)
        {
            System.err.println("DemoSysctl: cannot set " + args[0] + ": " + e);
            System.exit(1);
        }
    }

    /** {@code net.ipv4.ping_group_range} is the file {@code /proc/sys/net/ipv4/ping_group_range}. */
    static Path file(final String key)
    {
        return Path.of("/proc/sys", key.replace('.', '/'));
    }

    static void write(final String key, final String value) throws IOException
    {
        Files.writeString(file(key), value + "\n", StandardCharsets.US_ASCII);
    }
}
