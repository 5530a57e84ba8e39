package dev.wharf.dns;

import org.xbill.DNS.Message;

import java.util.function.Consumer;

/** Where queries for names no network has go: upstream resolvers, through a cache. */
interface Forwarder
{
    /**
     * Answers {@code query} from the cache or sends it upstream; the answer (or a SERVFAIL when no upstream answers in
     * time) reaches {@code origin} as a UDP reply, or when {@code onAnswer} is given, goes to it instead (a TCP
     * client's connection writes it), on whichever thread has it. Punt thread.
     */
    void forward(Message query, QueryOrigin origin, Consumer<Message> onAnswer);

    /** Expires queries upstream did not answer in time (SERVFAIL to their clients). Punt thread. @return work done. */
    int poll(long nowMs);
}
