package dev.wharf.lb.schedule;

import java.util.List;

/**
 * Chooses a backend for a NEW flow of one virtual service (established flows follow their connection
 * entry and never come here). Built by the control thread through {@link Schedulers}, immutable but for
 * internal cursors, published whole to the workers, and called concurrently by several worker threads:
 * {@link #pick} is thread-safe, allocation-free and takes no lock.
 */
public interface Scheduler
{
    /** What {@link #pick} returns when no backend can take the flow: none, or all of weight 0. */
    int NONE = -1;

    /**
     * @param clientAddress the client's IPv4 address (as {@link BackendWeight#address}).
     * @param clientPort    the client's source port.
     * @param flowHash      a hash of the flow's 5-tuple, computed by the caller.
     * @param load          live connection counts, read by {@code lc} and {@code wlc} only.
     * @return index into {@link #backends()}, or {@link #NONE}.
     */
    int pick(int clientAddress, int clientPort, long flowHash, BackendLoad load);

    /** {@code rr}, {@code wrr}, {@code lc}, {@code wlc}, {@code sh} or {@code mh}. */
    String name();

    /** The backends it was built with, in the order whose indices {@link #pick} returns. */
    List<BackendWeight> backends();
}
