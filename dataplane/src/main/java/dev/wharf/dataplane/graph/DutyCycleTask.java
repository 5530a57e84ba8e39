package dev.wharf.dataplane.graph;

/**
 * Work a node does once per worker duty cycle besides packets, such as expiring a slice of its
 * table: done by the worker itself, it never makes a worker wait for another thread. A task must
 * bound its own work per call (the worker's next receive waits for it).
 */
public interface DutyCycleTask
{
    /** @return units of work done (0 when there was nothing to do), as an Agent's duty cycle counts them. */
    int doDutyCycleWork(WorkerContext context);
}
