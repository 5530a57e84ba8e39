package dev.wharf.dataplane.punt;

/**
 * Ends a sleeping worker's idle wait so it sees an injected frame now rather than at its next timeout (an
 * eventfd in the worker's poll set). Any thread; cheap when the worker is awake.
 */
@FunctionalInterface
public interface WorkerWakeup
{
    WorkerWakeup NONE = () ->
    {
    };

    void wake();
}
