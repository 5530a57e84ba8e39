package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;

/**
 * Observes packets as they pass through nodes (VPP's {@code trace add}). The graph calls it only
 * when one is installed; {@link #OFF} is the default and is never called.
 */
public interface PacketTracer
{
    PacketTracer OFF = new PacketTracer()
    {
        public void beforeNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
        {
        }

        public void afterNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
        {
        }
    };

    void beforeNode(Node node, PacketBatch batch, int[] packets, int count);

    void afterNode(Node node, PacketBatch batch, int[] packets, int count);
}
