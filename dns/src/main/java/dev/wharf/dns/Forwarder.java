package dev.wharf.dns;

import org.xbill.DNS.Message;

/** Where queries for names no network has go: upstream resolvers, through a cache. */
interface Forwarder
{
    /**
     * Answers {@code query} from the cache or sends it upstream; the answer reaches {@code origin} later through a
     * {@link ReplySender}, or a SERVFAIL when no upstream answers in time. Punt thread.
     */
    void forward(Message query, QueryOrigin origin);

    /** Expires queries upstream did not answer in time (SERVFAIL to their clients). Punt thread. @return work done. */
    int poll(long nowMs);
}
