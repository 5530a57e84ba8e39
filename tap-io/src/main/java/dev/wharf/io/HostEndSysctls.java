package dev.wharf.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the host kernel out of a switch port's interface (a container's veth host end, a TAP): the
 * frames on it are the switch's, but the kernel sees them too, and would answer ARP for any address
 * the host holds (arp_ignore 0), forward what arrives when the host forwards (ip_forward 1), and talk
 * IPv6 to the container from the link-local address it gives every interface. Per-interface sysctls
 * in the namespace of the calling process, as {@code sysctl -w net.ipv4.conf.IF.KEY=V} sets them.
 * Stateless; any thread.
 */
public final class HostEndSysctls
{
    private static final Path PROC_NET = Path.of("/proc/sys/net");

    /** One setting: the file under /proc/sys/net and the value that keeps the kernel out. */
    private record Setting(String family, String key, String value)
    {
        Path file(final String ifname)
        {
            return PROC_NET.resolve(family).resolve("conf").resolve(ifname).resolve(key);
        }
    }

    private static final List<Setting> SETTINGS = List.of(
        new Setting("ipv4", "forwarding", "0"),
        // 8: answer no ARP request on this interface, whatever address it asks for
        new Setting("ipv4", "arp_ignore", "8"),
        new Setting("ipv4", "accept_redirects", "0"),
        new Setting("ipv6", "disable_ipv6", "1"));

    private HostEndSysctls()
    {
    }

    /**
     * Sets every setting on {@code ifname}; a kernel without IPv6 needs none of its settings.
     *
     * @return what could not be set ("ipv4 forwarding: reason" each), empty when all were.
     */
    public static List<String> keepKernelOut(final String ifname)
    {
        final List<String> problems = new ArrayList<>();
        if (ifname.isEmpty() || ifname.contains("/") || ifname.equals(".") || ifname.equals(".."))
        {
            problems.add("not an interface name: " + ifname);
            return problems;
        }
        for (final Setting setting : SETTINGS)
        {
            if (!Files.isDirectory(PROC_NET.resolve(setting.family())))
            {
                continue;
            }
            try
            {
                Files.writeString(setting.file(ifname), setting.value() + "\n", StandardCharsets.US_ASCII);
            }
            catch (final IOException | SecurityException e)
            {
                problems.add(setting.family() + " " + setting.key() + ": " + e.getClass().getSimpleName() +
                    (e.getMessage() == null ? "" : " " + e.getMessage()));
            }
        }
        return problems;
    }

    /** The value of one of the settings on {@code ifname} now, or null when it cannot be read (for tests and diagnostics). */
    public static String read(final String family, final String key, final String ifname)
    {
        try
        {
            return Files.readString(PROC_NET.resolve(family).resolve("conf").resolve(ifname).resolve(key)).strip();
        }
        catch (final IOException e)
        {
            return null;
        }
    }
}
