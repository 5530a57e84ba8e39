package dev.wharf.control.server;

import dev.wharf.dataplane.port.Port;
import dev.wharf.io.HostEndSysctls;
import dev.wharf.io.PortException;
import dev.wharf.io.Ports;

import java.util.List;

/**
 * How the control plane opens ports: the seam between it and tap-io, so that tests attach
 * {@link dev.wharf.dataplane.port.MemoryPort}s without devices. Called by {@link PortController}
 * under its lock.
 */
public interface PortOpener
{
    /** True when a network interface of that name exists on the host. */
    boolean interfaceExists(String name);

    /** The host interface's index, or -1 when there is none: a changed index means the interface was replaced. */
    default int interfaceIndex(final String name)
    {
        final String index = netAttribute(name, "ifindex");
        try
        {
            return index == null ? -1 : Integer.parseInt(index);
        }
        catch (final NumberFormatException e)
        {
            return -1;
        }
    }

    /** The host interface's MAC (low 48 bits), or -1 when it cannot be read. */
    default long interfaceMac(final String name)
    {
        final String mac = netAttribute(name, "address");
        try
        {
            return mac == null ? -1 : dev.wharf.dataplane.protocol.MacAddress.parse(mac);
        }
        catch (final IllegalArgumentException e)
        {
            return -1;
        }
    }

    /**
     * The host interface's operational state as the kernel reports it (RFC 2863's words in
     * {@code /sys/class/net/NAME/operstate}: "up", "down", "lowerlayerdown", "dormant", "unknown", ...),
     * or "" when it cannot be read.
     */
    default String operState(final String name)
    {
        final String state = netAttribute(name, "operstate");
        return state == null ? "" : state;
    }

    /** The host interface's flags ({@code IFF_UP} is bit 0: administratively up), or -1 when they cannot be read. */
    default int interfaceFlags(final String name)
    {
        final String flags = netAttribute(name, "flags");
        try
        {
            return flags == null ? -1 : Integer.decode(flags);
        }
        catch (final NumberFormatException e)
        {
            return -1;
        }
    }

    /** {@code /sys/class/net/NAME/ATTRIBUTE} without its newline, or null when it cannot be read. */
    private static String netAttribute(final String name, final String attribute)
    {
        try
        {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/net", name, attribute)).strip();
        }
        catch (final java.io.IOException | java.nio.file.InvalidPathException e)
        {
            return null;
        }
    }

    /**
     * Keeps the host kernel out of a switch port's interface ({@link HostEndSysctls}): what could not be
     * done, empty when all was. Nothing to do for ports without a kernel interface.
     */
    default List<String> keepKernelOut(final String name)
    {
        return List.of();
    }

    /** An AF_PACKET port on an existing interface, one queue per worker. */
    Port openAfPacket(String name, int workers) throws PortException;

    /** A TAP device the daemon creates (or opens), one queue per worker. */
    Port openTap(String name, int workers) throws PortException;

    /** The real thing: {@link Ports}. */
    static PortOpener system()
    {
        return new PortOpener()
        {
            public boolean interfaceExists(final String name)
            {
                return Ports.interfaceExists(name);
            }

            public Port openAfPacket(final String name, final int workers) throws PortException
            {
                return Ports.openAfPacket(name, workers);
            }

            public Port openTap(final String name, final int workers) throws PortException
            {
                return Ports.openTap(name, workers);
            }

            public List<String> keepKernelOut(final String name)
            {
                return HostEndSysctls.keepKernelOut(name);
            }
        };
    }
}
