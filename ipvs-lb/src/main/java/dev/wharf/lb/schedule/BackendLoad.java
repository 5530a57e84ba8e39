package dev.wharf.lb.schedule;

/**
 * Live connection counts the least-connection schedulers ({@code lc}, {@code wlc}) read on every pick.
 * The caller backs it with counters the dataplane updates; it is read from worker threads, so it must
 * be cheap, allocation-free and safe to call concurrently (a racy but untorn read of a counter is fine).
 */
@FunctionalInterface
public interface BackendLoad
{
    /** No connections anywhere: what the schedulers that ignore load may be given. */
    BackendLoad IDLE = backendIndex -> 0;

    /**
     * @param backendIndex index into the backend list the scheduler was built with.
     * @return the connections the backend holds now (IPVS's overhead), never negative.
     */
    long connections(int backendIndex);
}
