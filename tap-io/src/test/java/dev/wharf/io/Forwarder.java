package dev.wharf.io;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.port.PortQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The tiniest switch: a thread that moves every frame from one port's queue 0 to the other's and
 * back, keeping what it saw (GSO frames, their sizes, one sample). Bounded in time; stopped by close().
 */
final class Forwarder implements AutoCloseable
{
    private static final long MAX_RUN_NS = TimeUnit.SECONDS.toNanos(120);

    private final Port a;
    private final Port b;
    private final Thread thread;
    private volatile boolean running = true;
    volatile long forwarded;
    volatile long sendFailures;
    volatile long gsoFrames;
    volatile int largestGsoSize;
    volatile int largestFrame;
    volatile long partialChecksums;
    volatile byte[] sampleGsoFrame;
    volatile long sampleGsoInfo;

    Forwarder(final Port a, final Port b)
    {
        this.a = a;
        this.b = b;
        this.thread = new Thread(this::run, "wta-forwarder");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run()
    {
        final PacketBatch batch = new PacketBatch();
        final long deadline = System.nanoTime() + MAX_RUN_NS;
        while (running && System.nanoTime() < deadline)
        {
            final int moved = pump(batch, a, b, 0) + pump(batch, b, a, 1);
            if (moved == 0)
            {
                LockSupport.parkNanos(10_000);
            }
        }
    }

    private int pump(final PacketBatch batch, final Port from, final Port to, final int fromId)
    {
        final PortQueue in = from.queue(0);
        final PortQueue out = to.queue(0);
        batch.clear();
        final int n = in.receive(batch, fromId, PacketBatch.CAPACITY);
        for (int i = 0; i < n; i++)
        {
            final long info = batch.offload[i];
            if (OffloadInfo.isGso(info))
            {
                gsoFrames++;
                largestGsoSize = Math.max(largestGsoSize, OffloadInfo.gsoSize(info));
                if (sampleGsoFrame == null && batch.length[i] > 10_000)
                {
                    final byte[] copy = new byte[batch.length[i]];
                    batch.frame(i).getBytes(0, copy);
                    sampleGsoInfo = info;
                    sampleGsoFrame = copy;
                }
            }
            if (OffloadInfo.needsChecksum(info))
            {
                partialChecksums++;
            }
            largestFrame = Math.max(largestFrame, batch.length[i]);
            if (out.send(batch, i, PortQueue.NO_TAG))
            {
                forwarded++;
            }
            else
            {
                sendFailures++;
            }
        }
        out.flush();
        in.releaseReceived();
        return n;
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(5_000);
    }
}
