package dev.wharf.dataplane.punt;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker's way to and from the control plane (VPP's punt and inject): packets the dataplane does not answer
 * itself are copied onto a bounded ring the punt thread reads, and the replies the control plane writes onto a
 * second ring are sent by the worker in its next duty cycle. Both are Agrona ring buffers: lock-free, bounded, and
 * the frame is copied into the ring itself, so neither side allocates or holds the other's memory. A worker never
 * waits: when a ring is full the packet is refused and the caller counts it under its reason.
 *
 * <p>The punt ring has one producer (the worker) and one consumer (the punt thread); the inject ring has many
 * producers (the punt thread, a resolver's socket thread) and one consumer (the worker).
 */
public final class PuntChannel
{
    /** Bytes of each ring's data area (a power of two): about 500 full-size frames, many more small queries. */
    public static final int RING_CAPACITY_DEFAULT = 1 << 19;
    /** Frames a worker sends from the inject ring per duty cycle, so a flood of replies cannot starve its ports. */
    public static final int INJECT_PER_CYCLE = 64;

    private final int worker;
    private final RingBuffer punted;
    private final RingBuffer injected;
    private final BufferPool injectSlots = new BufferPool(INJECT_PER_CYCLE, PuntMessage.MAX_FRAME, BufferPool.DEFAULT_HEADROOM);
    private final int[] slotOfPacket = new int[PacketBatch.CAPACITY];
    private final UnsafeBuffer slotView = new UnsafeBuffer(0, 0);
    private volatile Thread puntReader;
    private volatile WorkerWakeup wakeup = WorkerWakeup.NONE;
    private boolean puntedThisCycle;
    private PacketBatch drainTarget;
    private final MessageHandler injectedHandler = this::onInjected;

    public PuntChannel(final int worker)
    {
        this(worker, RING_CAPACITY_DEFAULT);
    }

    public PuntChannel(final int worker, final int ringCapacity)
    {
        this.worker = worker;
        this.punted = new OneToOneRingBuffer(ring(ringCapacity));
        this.injected = new ManyToOneRingBuffer(ring(ringCapacity));
    }

    private static UnsafeBuffer ring(final int capacity)
    {
        if (!BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + capacity);
        }
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    public int worker()
    {
        return worker;
    }

    /** The thread that reads the punt ring, unparked when a worker punted something; set by the punt thread. */
    void puntReader(final Thread thread)
    {
        this.puntReader = thread;
    }

    /** How the worker is woken from its idle wait when a frame is injected; set once when the worker starts. */
    public void wakeup(final WorkerWakeup wakeup)
    {
        this.wakeup = wakeup;
    }

    // ---- worker side ----

    /**
     * Copies packet {@code i} of {@code batch} onto the punt ring for {@code service}. Worker thread only.
     *
     * @return false when the ring is full or the frame is larger than {@link PuntMessage#MAX_FRAME}: the caller drops and counts it.
     */
    public boolean punt(final int service, final PacketBatch batch, final int i)
    {
        final int frameLength = batch.length[i];
        if (frameLength > PuntMessage.MAX_FRAME)
        {
            return false;
        }
        final int index = punted.tryClaim(service, PuntMessage.FRAME + frameLength);
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer ring = punted.buffer();
        PuntMessage.header(ring, index, batch.inPort[i], batch.network[i], batch.vlan[i], batch.portPeer[i],
            batch.l3Offset[i], batch.l4Offset[i], frameLength);
        ring.putBytes(index + PuntMessage.FRAME, batch.frame(i), 0, frameLength);
        punted.commit(index);
        puntedThisCycle = true;
        return true;
    }

    /** Wakes the punt thread if this cycle punted anything; once per duty cycle, by the worker. */
    public void signalPunted()
    {
        if (puntedThisCycle)
        {
            puntedThisCycle = false;
            final Thread reader = puntReader;
            if (reader != null)
            {
                LockSupport.unpark(reader);
            }
        }
    }

    /** True when the control plane injected frames this worker has not sent yet; a cheap read of two positions. */
    public boolean hasInjected()
    {
        return injected.producerPosition() != injected.consumerPosition();
    }

    /**
     * Moves up to {@link #INJECT_PER_CYCLE} injected frames into {@code batch} (cleared first), each copied into a
     * slot of this channel with its egress port, network, VLAN and peer set, ready for the graph's output. Worker
     * thread only; {@link #releaseInjected} gives the slots back once the batch has been sent.
     *
     * @return the number of frames in the batch.
     */
    public int drainInjected(final PacketBatch batch)
    {
        batch.clear();
        drainTarget = batch;
        injected.read(injectedHandler, INJECT_PER_CYCLE);
        drainTarget = null;
        return batch.size();
    }

    private void onInjected(final int service, final MutableDirectBuffer buffer, final int message, final int length)
    {
        final PacketBatch batch = drainTarget;
        final int frameLength = PuntMessage.frameLength(buffer, message);
        final int slot = injectSlots.acquire();
        if (slot < 0 || frameLength > injectSlots.dataCapacity() || frameLength + PuntMessage.FRAME > length)
        {
            if (slot >= 0)
            {
                injectSlots.release(slot);
            }
            return;
        }
        final long address = injectSlots.dataAddress(slot);
        slotView.wrap(address, frameLength);
        slotView.putBytes(0, buffer, message + PuntMessage.FRAME, frameLength);
        final int i = batch.add(address, frameLength, injectSlots.headroom(), PuntMessage.port(buffer, message));
        slotOfPacket[i] = slot;
        batch.outPort[i] = PuntMessage.port(buffer, message);
        batch.network[i] = PuntMessage.network(buffer, message);
        batch.vlan[i] = PuntMessage.vlan(buffer, message);
        batch.portPeer[i] = PuntMessage.peer(buffer, message);
    }

    /** Gives back the slots of the {@code count} frames {@link #drainInjected} put in the batch. */
    public void releaseInjected(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            injectSlots.release(slotOfPacket[i]);
        }
    }

    // ---- control-plane side ----

    /**
     * Reads up to {@code limit} punted messages, handing each to {@code handler} with its service id. Punt thread only.
     *
     * @return messages read.
     */
    public int readPunted(final MessageHandler handler, final int limit)
    {
        return punted.read(handler, limit);
    }

    /**
     * Queues a whole Ethernet frame for this worker to send out of {@code port} (a network port's id) in VLAN
     * {@code vlan}, to {@code peer} when the port reaches many. Any thread.
     *
     * @return false when the inject ring is full or the frame too large; the caller counts it.
     */
    public boolean inject(
        final int port, final int network, final int vlan, final int peer, final DirectBuffer frame, final int offset, final int frameLength)
    {
        if (frameLength > PuntMessage.MAX_FRAME || frameLength <= 0)
        {
            return false;
        }
        final int index = injected.tryClaim(1, PuntMessage.FRAME + frameLength);
        if (index < 0)
        {
            return false;
        }
        final MutableDirectBuffer ring = injected.buffer();
        PuntMessage.header(ring, index, port, network, vlan, peer, 0, 0, frameLength);
        ring.putBytes(index + PuntMessage.FRAME, frame, offset, frameLength);
        injected.commit(index);
        wakeup.wake();
        return true;
    }
}
