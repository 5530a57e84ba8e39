package dev.wharf.io;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.port.Port;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/** Opens ports; the control plane's entry point into tap-io. */
public final class Ports
{
    private Ports()
    {
    }

    /** Binds an AF_PACKET socket per worker to an existing interface (a veth's host end). */
    public static Port openAfPacket(final String interfaceName, final int workers) throws PortException
    {
        throw new PortException("AF_PACKET ports are not implemented yet");
    }

    /** Creates the TAP device {@code name} (or opens it if it exists), one queue per worker. */
    public static Port openTap(final String name, final int workers) throws PortException
    {
        throw new PortException("TAP ports are not implemented yet");
    }

    public static boolean interfaceExists(final String name)
    {
        return java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", name));
    }

    /** An idle strategy that spins briefly, then sleeps in poll(2) on the worker's receive queues. */
    public static IdleStrategy pollIdleStrategy(final int worker, final Supplier<DataplaneSnapshot> snapshots)
    {
        return new org.agrona.concurrent.BackoffIdleStrategy(100, 10, 1_000, 100_000);
    }
}
