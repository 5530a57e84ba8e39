package dev.wharf.io;

/** A port could not be opened or configured; the message names the interface and the cause. */
public final class PortException extends Exception
{
    public PortException(final String message)
    {
        super(message);
    }

    public PortException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
