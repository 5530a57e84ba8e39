package dev.wharf.dataplane.l2;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.protocol.EthernetFlyweight;

/**
 * Hands one frame to one egress port: the VLAN decision (untagged, tagged, or not carried), the MTU
 * check, the send and the port's tx counters. Shared by interface-output and l2-flood so a flooded
 * copy obeys the same rules as a forwarded frame. Worker thread only.
 */
public final class Egress
{
    public static final int SENT = 0;
    public static final int NOT_CARRIED = 1;
    public static final int TOO_BIG = 2;
    public static final int QUEUE_FULL = 3;

    private Egress()
    {
    }

    /** Sends packet {@code i} out of {@code out}; counts tx packets, bytes and drops on the port. */
    public static int send(final PacketBatch batch, final int i, final PortBinding out, final WorkerContext context)
    {
        final int vlan = batch.vlan[i];
        if (!out.carries(vlan))
        {
            return NOT_CARRIED;
        }
        final int length = batch.length[i];
        final CounterLayout layout = context.layout;
        if (length - EthernetFlyweight.HEADER_LENGTH > out.mtu && !OffloadInfo.isGso(batch.offload[i]))
        {
            context.counters.increment(layout.portCounter(out.id, CounterLayout.PORT_TX_DROPS));
            return TOO_BIG;
        }
        final int tci = out.tagsOnEgress(vlan) ? vlan : PortQueue.NO_TAG;
        if (!out.port.queue(context.worker).send(batch, i, tci))
        {
            context.counters.increment(layout.portCounter(out.id, CounterLayout.PORT_TX_DROPS));
            return QUEUE_FULL;
        }
        context.counters.increment(layout.portCounter(out.id, CounterLayout.PORT_TX_PACKETS));
        context.counters.add(layout.portCounter(out.id, CounterLayout.PORT_TX_BYTES), tci == PortQueue.NO_TAG ? length : length + 4);
        context.markDirty(out);
        final CaptureSession capture = context.capture;
        if (capture != null && capture.wants(out.id, CaptureSession.DIRECTION_TX))
        {
            capture.offer(batch, i, CaptureSession.DIRECTION_TX, tci);
        }
        return SENT;
    }
}
