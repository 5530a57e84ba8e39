package dev.wharf.dataplane.port;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * One worker's queue on a {@link Port}: receives whole batches and sends frames (OVS's
 * {@code rxq_recv}/{@code send}). Used only by the worker that owns it.
 *
 * <p>Frames handed out by {@link #receive} stay valid, and may be rewritten in place, until
 * {@link #releaseReceived()}. {@link #send} copies or writes the frame before it returns, so a frame
 * may be sent to several queues (flooding) and rewritten afterwards.
 */
public interface PortQueue
{
    /**
     * Appends up to {@code limit} received frames to {@code batch}, with their offload metadata.
     *
     * @param portId dataplane port id recorded as each frame's ingress port.
     * @return frames appended.
     */
    int receive(PacketBatch batch, int portId, int limit);

    /** Gives back the memory of every frame received since the last call (ring blocks, slots). */
    void releaseReceived();

    /**
     * Queues packet {@code index} of {@code batch} for transmission. Offload metadata travels with
     * it when the port takes a virtio-net header; otherwise the frame is segmented or its checksum
     * completed in software first. The frame's bytes are taken (copied into a ring, or written) before
     * this returns: the caller may change the slot at once (ip4-rewrite sends an ARP refresh from a
     * packet's own slot and then puts the packet back).
     *
     * @param vlanTci 802.1Q TCI to insert on the way out, or {@link #NO_TAG}.
     * @return false when the frame could not be queued (transmit ring full, frame too large).
     */
    boolean send(PacketBatch batch, int index, int vlanTci);

    /** Hands every frame queued by {@link #send} to the kernel. */
    void flush();

    /** A descriptor that polls readable when frames wait, or -1 when the queue cannot be polled. */
    int pollDescriptor();

    /**
     * Frames the kernel dropped on their way to this queue since the last call, because its receive ring or
     * socket buffer was full; 0 when the backend keeps no such count. The kernel's count resets when read, so
     * only the worker that owns the queue calls this, now and then (a syscall, not per batch).
     */
    default long takeKernelDrops()
    {
        return 0;
    }

    int NO_TAG = -1;
}
