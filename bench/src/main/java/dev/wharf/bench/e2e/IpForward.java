package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code net.ipv4.ip_forward}, turned on for a routed scenario and put back afterwards. The value
 * found is written to {@link #SAVED} before it is changed and the file removed once it is back,
 * so that {@link Leftovers} can restore it after a run that died without its cleanup (SIGKILL).
 * {@code /run} is cleared at boot, as the sysctl is.
 */
final class IpForward
{
    static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/ip_forward");
    static final Path SAVED = Path.of("/run/wbe-ip_forward.saved");

    private IpForward()
    {
    }

    /** Turns forwarding on, registering the restore of the previous value with {@code cleanup}. */
    static void enable(final Cleanup cleanup)
    {
        final String previous = read();
        if (!Files.exists(SAVED))
        {
            try
            {
                Files.writeString(SAVED, previous + "\n");
            }
            catch (final IOException e)
            {
                throw new HarnessException("cannot save net.ipv4.ip_forward in " + SAVED + ": " + e.getMessage(), e);
            }
        }
        cleanup.add("net.ipv4.ip_forward=" + previous, IpForward::restoreSaved);
        Shell.run(10, "sysctl", "-qw", "net.ipv4.ip_forward=1").require("sysctl net.ipv4.ip_forward=1");
    }

    /** The current value ("0" or "1"). */
    static String read()
    {
        try
        {
            return Files.readString(SYSCTL).strip();
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot read " + SYSCTL + ": " + e.getMessage(), e);
        }
    }

    /** The value saved by a run that has not restored it yet, or null. */
    static String savedValue()
    {
        try
        {
            return Files.exists(SAVED) ? Files.readString(SAVED).strip() : null;
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    /** Puts the saved value back and forgets it; nothing to do when none is saved. */
    static void restoreSaved()
    {
        final String saved = savedValue();
        if (saved == null)
        {
            return;
        }
        if (saved.equals("0") || saved.equals("1"))
        {
            Shell.run(10, "sysctl", "-qw", "net.ipv4.ip_forward=" + saved)
                .require("restore net.ipv4.ip_forward=" + saved);
        }
        try
        {
            Files.deleteIfExists(SAVED);
        }
        catch (final IOException e)
        {
            throw new HarnessException("cannot remove " + SAVED + ": " + e.getMessage(), e);
        }
    }
}
