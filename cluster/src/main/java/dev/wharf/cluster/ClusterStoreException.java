package dev.wharf.cluster;

/** The cluster store could not be reached in time, or refused a request; the message says which and where. */
public class ClusterStoreException extends RuntimeException
{
    public ClusterStoreException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    public ClusterStoreException(final String message)
    {
        super(message);
    }
}
