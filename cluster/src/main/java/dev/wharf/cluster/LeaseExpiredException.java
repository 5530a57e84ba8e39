package dev.wharf.cluster;

/**
 * The store no longer knows the lease a request named: it expired (the holder was out of reach longer than its TTL) and
 * the keys under it are gone. The holder must grant a new lease and write its keys again; retrying cannot succeed.
 */
public final class LeaseExpiredException extends ClusterStoreException
{
    public LeaseExpiredException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
