package dev.wharf.dataplane.punt;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The punt thread's duty cycle: reads every worker's punt ring and hands each message to the handler registered
 * for its service, then lets each handler do its background work. Runs in its own AgentRunner; the workers unpark
 * it when they punt, so its idle strategy may sleep long without delaying an answer.
 */
public final class PuntDispatcher implements Agent
{
    /** Service ids are small positive integers a feature chooses (Agrona's ring buffers need message types > 0). */
    public static final int MAX_SERVICES = 16;
    /** Messages read from one worker's ring per duty cycle, so one worker's flood cannot starve another's queries. */
    public static final int READ_LIMIT = 64;

    private final PuntChannel[] channels;
    private final PuntHandler[] handlers = new PuntHandler[MAX_SERVICES];
    private final AtomicLong unknownService = new AtomicLong();
    private final AtomicLong handlerErrors = new AtomicLong();
    private final MessageHandler dispatch = this::dispatch;
    private int currentWorker;

    public PuntDispatcher(final PuntChannel[] channels)
    {
        this.channels = channels.clone();
    }

    /** Registers {@code handler} for {@code service}; before the agent starts. */
    public synchronized void register(final int service, final PuntHandler handler)
    {
        if (service <= 0 || service >= MAX_SERVICES)
        {
            throw new IllegalArgumentException("punt service ids are 1.." + (MAX_SERVICES - 1) + ": " + service);
        }
        if (handlers[service] != null)
        {
            throw new IllegalArgumentException("punt service " + service + " is registered already");
        }
        handlers[service] = handler;
    }

    /** True once a service is registered: without one there is nothing to run a punt thread for. */
    public synchronized boolean hasServices()
    {
        for (final PuntHandler handler : handlers)
        {
            if (handler != null)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onStart()
    {
        for (final PuntChannel channel : channels)
        {
            channel.puntReader(Thread.currentThread());
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        for (int w = 0; w < channels.length; w++)
        {
            currentWorker = w;
            work += channels[w].readPunted(dispatch, READ_LIMIT);
        }
        final long nowMs = System.currentTimeMillis();
        for (final PuntHandler handler : handlers)
        {
            if (handler != null)
            {
                work += handler.poll(nowMs);
            }
        }
        return work;
    }

    private void dispatch(final int service, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final PuntHandler handler = service < MAX_SERVICES ? handlers[service] : null;
        if (handler == null)
        {
            unknownService.incrementAndGet();
            return;
        }
        try
        {
            handler.onPunt(currentWorker, buffer, index, length);
        }
        catch (final RuntimeException ex)
        {
            // one bad packet must not take the service down: counted, and the next message is read
            handlerErrors.incrementAndGet();
        }
    }

    @Override
    public void onClose()
    {
        for (final PuntChannel channel : channels)
        {
            channel.puntReader(null);
        }
    }

    /** Messages whose service had no handler (a feature unloaded while its packets were queued). */
    public long unknownService()
    {
        return unknownService.get();
    }

    /** Messages a handler threw on. */
    public long handlerErrors()
    {
        return handlerErrors.get();
    }

    public PuntChannel channel(final int worker)
    {
        return channels[worker];
    }

    public int workers()
    {
        return channels.length;
    }

    @Override
    public String roleName()
    {
        return "wharf-punt";
    }
}
