package dev.wharf.control.daemon;

/** The daemon could not start; the message is one line naming what and why. */
public final class DaemonException extends Exception
{
    private final boolean alreadyRunning;

    public DaemonException(final String message, final boolean alreadyRunning)
    {
        super(message);
        this.alreadyRunning = alreadyRunning;
    }

    /** True when another daemon answers on the socket. */
    public boolean alreadyRunning()
    {
        return alreadyRunning;
    }
}
