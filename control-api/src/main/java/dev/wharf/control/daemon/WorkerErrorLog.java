package dev.wharf.control.daemon;

import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the daemon's workers report an exception that a duty cycle threw: the daemon's log (SLF4J), with
 * its stack trace, instead of the dataplane's default line on stderr. The worker carries on after it.
 * Called on the worker's thread, so it only logs.
 */
public final class WorkerErrorLog implements ErrorHandler
{
    public static final WorkerErrorLog INSTANCE = new WorkerErrorLog();
    private static final Logger LOG = LoggerFactory.getLogger(WorkerErrorLog.class);

    private WorkerErrorLog()
    {
    }

    @Override
    public void onError(final Throwable error)
    {
        LOG.error("worker error (the worker carries on): {}", error.toString(), error);
    }
}
