package dev.wharf.bench.e2e;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo actions for everything the harness creates (namespaces, links, bridges, processes), run
 * last-created first after each scenario, and from a JVM shutdown hook on failure or Ctrl-C.
 * <p>
 * Thread safety: the main thread adds and runs actions while the shutdown hook may run them at
 * any time; every method is synchronized. Once the hook has started, {@link #add} undoes the new
 * resource at once and throws, so the main thread cannot leave something behind after the hook.
 */
final class Cleanup
{
    private record Action(String what, Runnable undo)
    {
    }

    private final Deque<Action> actions = new ArrayDeque<>();
    private boolean shuttingDown;

    /** Registers the undo of a resource just created. */
    synchronized void add(final String what, final Runnable undo)
    {
        if (shuttingDown)
        {
            runQuietly(new Action(what, undo));
            throw new HarnessException("shutting down");
        }
        actions.push(new Action(what, undo));
    }

    /** Whether the JVM is exiting (Ctrl-C): the runner then starts nothing new. */
    synchronized boolean shuttingDown()
    {
        return shuttingDown;
    }

    /** Undoes everything registered so far, newest first; one failing undo does not stop the others. */
    synchronized void runAll()
    {
        while (!actions.isEmpty())
        {
            runQuietly(actions.pop());
        }
    }

    /** Installs the hook that undoes what is left, then sweeps {@code wbe*} leftovers, when the JVM exits. */
    void installShutdownHook()
    {
        installShutdownHook(Leftovers::sweep);
    }

    /** Installs the hook that undoes what is left, then runs {@code sweep} (the leftovers only this harness can have made). */
    void installShutdownHook(final Runnable sweep)
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            synchronized (this)
            {
                shuttingDown = true;
                if (!actions.isEmpty())
                {
                    System.err.println("wharf bench: cleaning up " + actions.size() + " resource(s)");
                }
                runAll();
            }
            sweep.run();
        }, HarnessPrefix.name("cleanup")));
    }

    private static void runQuietly(final Action action)
    {
        try
        {
            action.undo().run();
        }
        catch (final RuntimeException e)
        {
            System.err.println("wharf bench: cleanup of " + action.what() + " failed: " + e.getMessage());
        }
    }
}
