package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.SectionKey;
import dev.wharf.control.state.StateFileException;
import dev.wharf.control.state.StateStore;

import java.util.function.Supplier;

/**
 * The one transaction every feature's controller changes the desired state through: a lock, the
 * current {@link DesiredState}, and {@link #commit}, which persists a new state atomically through
 * the {@link StateStore} and only then makes it current, undoing the caller's dataplane change when
 * it cannot be written. A controller's change runs inside {@link #locked}: it checks the request
 * against {@link #state()} (a refusal throws {@link ControlException} and leaves both the state and
 * the dataplane as they were), applies it to the dataplane, then commits.
 *
 * <p>Thread safety: gRPC calls arrive on the server's executor threads, the reconciler on its own;
 * {@link #locked} serialises them (it is reentrant, so a controller may call another's locked method
 * inside its own). {@link #state()} may be read without the lock: it is one immutable value. Nothing
 * outside the controllers takes this lock; nothing that waits on workers holds anything they need.
 */
public final class StateTransaction
{
    private final Object lock = new Object();
    private StateStore store;
    private boolean storeSet;
    private volatile DesiredState state = DesiredState.EMPTY;
    private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Persists every accepted change to {@code store} (null: in memory only). Set once, at assembly,
     * after the features that make up the store's sections were built with this transaction.
     */
    public void persistTo(final StateStore store)
    {
        synchronized (lock)
        {
            if (storeSet)
            {
                throw new IllegalStateException("the store is set already");
            }
            this.store = store;
            storeSet = true;
        }
    }

    /** Runs {@code body} holding the lock: a change, or a read that must see one state and its dataplane ids together. */
    public <T> T locked(final Supplier<T> body)
    {
        synchronized (lock)
        {
            return body.get();
        }
    }

    /** {@link #locked(Supplier)} for a body without a result. */
    public void locked(final Runnable body)
    {
        synchronized (lock)
        {
            body.run();
        }
    }

    /** The current desired state. */
    public DesiredState state()
    {
        return state;
    }

    /** The section {@code key} names of the current state. */
    public <T> T section(final SectionKey<T> key)
    {
        return state.get(key);
    }

    /**
     * Persists {@code next} and makes it the state; when it cannot be written, runs {@code undo} (which
     * takes back what the caller already did to the dataplane) and refuses with UNAVAILABLE. Under the lock.
     */
    public void commit(final DesiredState next, final Runnable undo)
    {
        checkLocked();
        if (store != null)
        {
            try
            {
                store.save(next);
            }
            catch (final StateFileException e)
            {
                undo.run();
                throw new ControlException(ControlException.Reason.UNAVAILABLE, "cannot save the state: " + Inputs.oneLine(e.getMessage()));
            }
        }
        state = next;
        changeListeners.forEach(Runnable::run);
    }

    /**
     * Runs {@code listener} after every committed change, under the lock: a feature that derives something from the
     * whole state (DNS names from ports and services) follows it. A listener must not throw and must not wait on workers.
     */
    public void onChange(final Runnable listener)
    {
        changeListeners.add(listener);
    }

    /** Makes {@code next} the state without persisting it: replaying a saved state at start-up. Under the lock. */
    public void adopt(final DesiredState next)
    {
        checkLocked();
        state = next;
    }

    private void checkLocked()
    {
        if (!Thread.holdsLock(lock))
        {
            throw new IllegalStateException("the state changes only inside StateTransaction.locked");
        }
    }
}
