package dev.wharf.dataplane.capture;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.protocol.VlanTagFlyweight;
import org.jctools.queues.MpscArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running packet capture on one port: workers copy the frames they receive on it and/or send out
 * of it into a bounded queue, which the control plane drains into a pcap stream. Capturing copies
 * (it is a debugging path); when the queue is full the frame is counted as lost, never waited for.
 * Thread-safe: many workers offer, one reader polls.
 */
public final class CaptureSession
{
    public static final int DIRECTION_RX = 1;
    public static final int DIRECTION_TX = 2;
    public static final int DIRECTION_BOTH = DIRECTION_RX | DIRECTION_TX;
    public static final int SNAP_LENGTH = 65_535;
    private static final int QUEUE_CAPACITY = 8192;

    /** A captured frame: when, which way, and its bytes as they were on the wire. */
    public record Frame(long epochNanos, int direction, byte[] data, int originalLength)
    {
    }

    private final int portId;
    private final int directions;
    private final AtomicInteger remaining;
    private final MpscArrayQueue<Frame> queue = new MpscArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicLong lost = new AtomicLong();
    private volatile boolean stopped;

    /**
     * @param count frames to capture, or 0 for no limit (until {@link #stop()}).
     */
    public CaptureSession(final int portId, final int directions, final int count)
    {
        if ((directions & DIRECTION_BOTH) == 0)
        {
            throw new IllegalArgumentException("capture direction must be rx, tx or both");
        }
        this.portId = portId;
        this.directions = directions;
        this.remaining = new AtomicInteger(count <= 0 ? Integer.MAX_VALUE : count);
    }

    public int portId()
    {
        return portId;
    }

    /** True when frames of {@code port} going {@code direction} are wanted. */
    public boolean wants(final int port, final int direction)
    {
        return port == portId && (directions & direction) != 0 && !stopped && remaining.get() > 0;
    }

    /** Copies packet {@code i} of {@code batch}, with {@code vlanTci} inserted when it is not negative. */
    public void offer(final PacketBatch batch, final int i, final int direction, final int vlanTci)
    {
        if (remaining.getAndDecrement() <= 0)
        {
            return;
        }
        final int wireLength = VlanTagFlyweight.taggedLength(batch.length[i], vlanTci);
        final byte[] data = new byte[Math.min(wireLength, SNAP_LENGTH)];
        VlanTagFlyweight.copyOut(batch.frame(i), batch.length[i], vlanTci, data);
        final java.time.Instant at = java.time.Instant.now();
        final long now = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        if (!queue.offer(new Frame(now, direction, data, wireLength)))
        {
            lost.incrementAndGet();
        }
    }

    /** The next captured frame, or null when none waits. Single reader. */
    public Frame poll()
    {
        return queue.poll();
    }

    /** True once the count is reached or the capture was stopped, and every frame has been read. */
    public boolean finished()
    {
        return (stopped || remaining.get() <= 0) && queue.isEmpty();
    }

    public void stop()
    {
        stopped = true;
    }

    /** Frames that did not fit in the queue. */
    public long lost()
    {
        return lost.get();
    }
}
