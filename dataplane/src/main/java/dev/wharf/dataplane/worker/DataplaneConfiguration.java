package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Supplier;

/**
 * Settings of a {@link Dataplane}, with their defaults (Aeron's Configuration habit: a
 * {@code *_DEFAULT} per setting).
 *
 * @param workers          worker threads.
 * @param fdbAgingMs       learned FDB entries not seen for this long are removed.
 * @param fdbMaxEntries    most entries of one network's FDB.
 * @param defaultMacLimit  most MACs one port may have learned, unless the port says otherwise.
 * @param idleStrategies   makes each worker's idle strategy, given the worker and the snapshots.
 * @param pipelines        makes each worker's node graph: {@link Pipeline#withFeatures} composes the core with
 *                         the features the daemon loaded.
 * @param errorHandler     told of every exception a worker's duty cycle throws (the worker carries on); called on the
 *                         worker's thread, so it must not block. The default prints one line on stderr; the daemon logs.
 */
public record DataplaneConfiguration(
    int workers,
    long fdbAgingMs,
    int fdbMaxEntries,
    int defaultMacLimit,
    IdleStrategyFactory idleStrategies,
    PipelineFactory pipelines,
    ErrorHandler errorHandler)
{
    public static final int WORKERS_DEFAULT = 1;
    public static final long FDB_AGING_MS_DEFAULT = 300_000;
    public static final int FDB_MAX_ENTRIES_DEFAULT = 65_536;
    public static final int MAC_LIMIT_DEFAULT = 1024;
    /** One line on stderr per worker error, as before there was a handler to choose. */
    public static final ErrorHandler ERROR_HANDLER_DEFAULT = error -> System.err.println("wharf: worker error: " + error);

    /** Makes a worker's idle strategy; a port layer can make one that sleeps in poll(2) on the worker's queues. */
    @FunctionalInterface
    public interface IdleStrategyFactory
    {
        IdleStrategy create(int worker, Supplier<DataplaneSnapshot> snapshots);
    }

    /** Makes one worker's node graph (a graph and its nodes belong to one worker thread). */
    @FunctionalInterface
    public interface PipelineFactory
    {
        dev.wharf.dataplane.graph.NodeGraph create(int worker);
    }

    public DataplaneConfiguration
    {
        if (workers < 1 || workers > 64)
        {
            throw new IllegalArgumentException("workers must be 1..64: " + workers);
        }
        if (fdbAgingMs < 1000)
        {
            throw new IllegalArgumentException("FDB aging must be at least 1000 ms: " + fdbAgingMs);
        }
        if (fdbMaxEntries < 1 || defaultMacLimit < 1)
        {
            throw new IllegalArgumentException("FDB size and MAC limit must be positive");
        }
        if (errorHandler == null)
        {
            throw new IllegalArgumentException("a worker error handler is needed");
        }
    }

    public static DataplaneConfiguration defaults()
    {
        return new DataplaneConfiguration(WORKERS_DEFAULT, FDB_AGING_MS_DEFAULT, FDB_MAX_ENTRIES_DEFAULT, MAC_LIMIT_DEFAULT,
            (worker, snapshots) -> new BackoffIdleStrategy(100, 10, 1_000, 100_000), worker -> Pipeline.standard(), ERROR_HANDLER_DEFAULT);
    }

    public DataplaneConfiguration withWorkers(final int count)
    {
        return new DataplaneConfiguration(count, fdbAgingMs, fdbMaxEntries, defaultMacLimit, idleStrategies, pipelines, errorHandler);
    }

    public DataplaneConfiguration withFdbAgingMs(final long agingMs)
    {
        return new DataplaneConfiguration(workers, agingMs, fdbMaxEntries, defaultMacLimit, idleStrategies, pipelines, errorHandler);
    }

    public DataplaneConfiguration withIdleStrategies(final IdleStrategyFactory factory)
    {
        return new DataplaneConfiguration(workers, fdbAgingMs, fdbMaxEntries, defaultMacLimit, factory, pipelines, errorHandler);
    }

    public DataplaneConfiguration withPipelines(final PipelineFactory factory)
    {
        return new DataplaneConfiguration(workers, fdbAgingMs, fdbMaxEntries, defaultMacLimit, idleStrategies, factory, errorHandler);
    }

    public DataplaneConfiguration withErrorHandler(final ErrorHandler handler)
    {
        return new DataplaneConfiguration(workers, fdbAgingMs, fdbMaxEntries, defaultMacLimit, idleStrategies, pipelines, handler);
    }
}
