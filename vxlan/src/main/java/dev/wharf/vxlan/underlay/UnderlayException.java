package dev.wharf.vxlan.underlay;

/** The underlay could not be set up as asked (an address not on this host, a port in use); the message says which. */
public final class UnderlayException extends RuntimeException
{
    public UnderlayException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    public UnderlayException(final String message)
    {
        super(message);
    }
}
