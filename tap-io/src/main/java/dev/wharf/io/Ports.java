package dev.wharf.io;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.port.Port;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * Opens ports; the control plane's entry point into tap-io. Called from the control plane's threads;
 * the ports' queues are then used by the workers.
 */
public final class Ports
{
    private Ports()
    {
    }

    /** Binds an AF_PACKET socket per worker to an existing interface (a veth's host end). */
    public static Port openAfPacket(final String interfaceName, final int workers) throws PortException
    {
        return AfPacket.open(interfaceName, workers, PortOptions.DEFAULT);
    }

    /** Creates the TAP device {@code name} (or opens it if it exists), one queue per worker. */
    public static Port openTap(final String name, final int workers) throws PortException
    {
        return Tap.open(name, workers, PortOptions.DEFAULT);
    }

    public static boolean interfaceExists(final String name)
    {
        return IfreqFlyweight.isValidName(name) && java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", name));
    }

    /** An idle strategy that spins briefly, then sleeps in poll(2) on the worker's receive queues. */
    public static IdleStrategy pollIdleStrategy(final int worker, final Supplier<DataplaneSnapshot> snapshots)
    {
        return new PollIdleStrategy(worker, snapshots);
    }
}
