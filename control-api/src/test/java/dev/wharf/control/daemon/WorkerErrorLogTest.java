package dev.wharf.control.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A worker's error reaches the daemon's log, at ERROR and with the exception itself. */
class WorkerErrorLogTest
{
    @Test
    void logsTheErrorWithItsStackTrace()
    {
        final Logger logger = (Logger)LoggerFactory.getLogger(WorkerErrorLog.class);
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false); // the stack trace need not reach the console
        try
        {
            WorkerErrorLog.INSTANCE.onError(new IllegalStateException("a node's bug"));
        }
        finally
        {
            logger.detachAppender(appender);
            logger.setAdditive(true);
        }

        assertEquals(1, appender.list.size());
        final ILoggingEvent event = appender.list.get(0);
        assertEquals(Level.ERROR, event.getLevel());
        assertEquals("worker error (the worker carries on): java.lang.IllegalStateException: a node's bug", event.getFormattedMessage());
        assertEquals(IllegalStateException.class.getName(), event.getThrowableProxy().getClassName());
    }
}
