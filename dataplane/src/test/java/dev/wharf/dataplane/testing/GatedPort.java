package dev.wharf.dataplane.testing;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A port for tests of a running dataplane, whose one queue (worker 0's) is used on the worker's thread
 * while the test thread injects frames and watches: it can hold the worker inside {@link #send} until
 * the test lets it go (a worker stalled mid-batch, with the frames it received still in its hands), and
 * it notes every use after {@link #close} and how many received frames were still out when it closed.
 * Frames to receive and frames sent cross threads through concurrent collections.
 */
public final class GatedPort implements Port, PortQueue
{
    private final String name;
    private final BufferPool pool = new BufferPool(64, 2048, BufferPool.DEFAULT_HEADROOM);
    private final int[] received = new int[64];
    private int receivedCount;
    private final Queue<byte[]> pending = new ConcurrentLinkedQueue<>();
    private final List<byte[]> sent = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final AtomicInteger usesAfterClose = new AtomicInteger();
    /** Armed by holdNextSend, taken by the send it holds; opened by open(). */
    private volatile CountDownLatch gate;
    private volatile CountDownLatch holding;
    private volatile Predicate<byte[]> holdWhich;
    private final CountDownLatch held = new CountDownLatch(1);
    private volatile RuntimeException failure;
    private volatile boolean closed;
    private volatile int outstandingAtClose = -1;
    private volatile int outstanding;

    public GatedPort(final String name)
    {
        this.name = name;
    }

    /** Queues a frame for the worker's next receive; any thread. */
    public void inject(final byte[] frame)
    {
        pending.add(frame.clone());
    }

    /** The next {@link #send} blocks until {@link #open()}; any thread. */
    public void holdNextSend()
    {
        holdNextSend(frame -> true);
    }

    /** The next {@link #send} of a frame that {@code which} accepts blocks until {@link #open()}; any thread. */
    public void holdNextSend(final Predicate<byte[]> which)
    {
        holdWhich = which;
        gate = new CountDownLatch(1);
    }

    /** Waits (bounded) until a worker is blocked in {@link #send}; true when one is. */
    public boolean awaitHeld(final long timeoutMs) throws InterruptedException
    {
        return held.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Lets a held worker go on. */
    public void open()
    {
        final CountDownLatch armed = gate;
        gate = null;
        if (armed != null)
        {
            armed.countDown();
        }
        final CountDownLatch current = holding;
        if (current != null)
        {
            current.countDown();
        }
    }

    /** The next receive throws this (once), as a node's bug would; any thread. */
    public void failNextReceive(final RuntimeException error)
    {
        failure = error;
    }

    public List<byte[]> sent()
    {
        return sent;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** Calls into the port or its queue after it was closed; a dataplane that retires ports safely makes none. */
    public int usesAfterClose()
    {
        return usesAfterClose.get();
    }

    /** Received frames not yet given back when the port closed (-1: not closed), i.e. memory a worker still held. */
    public int outstandingAtClose()
    {
        return outstandingAtClose;
    }

    /** Received frames a worker holds now. */
    public int outstanding()
    {
        return outstanding;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String kind()
    {
        return "gated";
    }

    @Override
    public int mtu()
    {
        checkOpen();
        return 1500;
    }

    @Override
    public boolean offloads()
    {
        return true;
    }

    @Override
    public PortQueue queue(final int worker)
    {
        checkOpen();
        return this;
    }

    @Override
    public int receive(final PacketBatch batch, final int portId, final int limit)
    {
        checkOpen();
        final RuntimeException error = failure;
        if (error != null)
        {
            failure = null;
            throw error;
        }
        int n = 0;
        byte[] frame;
        while (n < limit && !batch.isFull() && receivedCount < received.length && (frame = pending.poll()) != null)
        {
            final int slot = pool.acquire();
            view.wrap(pool.dataAddress(slot), pool.dataCapacity());
            view.putBytes(0, frame);
            batch.add(pool.dataAddress(slot), frame.length, pool.headroom(), portId);
            received[receivedCount++] = slot;
            n++;
        }
        outstanding = receivedCount;
        return n;
    }

    @Override
    public void releaseReceived()
    {
        checkOpen();
        for (int i = 0; i < receivedCount; i++)
        {
            pool.release(received[i]);
        }
        receivedCount = 0;
        outstanding = 0;
    }

    @Override
    public boolean send(final PacketBatch batch, final int index, final int vlanTci)
    {
        checkOpen();
        final CountDownLatch current = gate;
        if (current != null && holdWhich.test(copy(batch, index, vlanTci)))
        {
            gate = null;
            holding = current;
            held.countDown();
            try
            {
                current.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        // read (again) only now: the frame may live in another port's memory, which must still be there
        sent.add(copy(batch, index, vlanTci));
        return true;
    }

    private static byte[] copy(final PacketBatch batch, final int index, final int vlanTci)
    {
        final byte[] copy = new byte[VlanTagFlyweight.taggedLength(batch.length[index], vlanTci)];
        VlanTagFlyweight.copyOut(batch.frame(index), batch.length[index], vlanTci, copy);
        return copy;
    }

    @Override
    public void flush()
    {
        checkOpen();
    }

    @Override
    public int pollDescriptor()
    {
        return -1;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        outstandingAtClose = outstanding;
        closed = true;
        // the pool's memory stays: a use after close is counted, not turned into a crash of the test JVM
    }

    private void checkOpen()
    {
        if (closed)
        {
            usesAfterClose.incrementAndGet();
        }
    }
}
