package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.DutyCycleTask;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.dataplane.protocol.EthernetFlyweight;

import dev.wharf.vxlan.underlay.UnderlayPort;

import java.util.function.Supplier;

/**
 * overlay-encap, on the l2-output arc: a frame forwarded to a tunnel port goes to the VTEP its
 * destination MAC is behind (the peer the FDB gave it), encapsulated by the tunnel's format and sent on
 * the worker's underlay socket; frames to other ports go on. Counts the tunnel port's tx like
 * interface-output does for other ports. As its worker's duty-cycle task it closes the worker's sockets of
 * underlays that were replaced or removed (only the loop's owner may run it to a close).
 */
public final class TunnelEncapNode extends Node implements DutyCycleTask
{
    public static final String NAME = "overlay-encap";

    public enum Error
    {
        MSS_CLAMPED,
        NO_UNDERLAY,
        NO_PEER,
        TOO_BIG,
        UNSUPPORTED_OFFLOAD
    }

    private static final int NEXT = 0;

    private final Supplier<OverlayTables> tables;
    private final Encapsulator encapsulator = new Encapsulator();

    public TunnelEncapNode(final Supplier<OverlayTables> tables)
    {
        super(NAME, new String[]{FeatureArc.NEXT}, names(Error.values()), names(Error.MSS_CLAMPED));
        this.tables = tables;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final OverlayTables overlay = tables.get();
        final CounterLayout layout = context.layout;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final Tunnel tunnel = overlay.tunnelAt(batch.outPort[i]);
            final int peer = batch.portPeer[i];
            if (tunnel == null || peer == 0)
            {
                // not a tunnel; or no peer, which the port's queue floods (a send by a core node that bypassed the FDB)
                next(batch, i, NEXT);
                continue;
            }
            final PortBinding out = context.snapshot.port(tunnel.portId);
            if (tunnel.underlay == null || out == null)
            {
                drop(batch, i, Error.NO_UNDERLAY.ordinal());
                continue;
            }
            final int length = batch.length[i];
            if (length - EthernetFlyweight.HEADER_LENGTH > out.mtu && !OffloadInfo.isGso(batch.offload[i]))
            {
                context.counters.increment(layout.portCounter(out.id, CounterLayout.PORT_TX_DROPS));
                drop(batch, i, Error.TOO_BIG.ordinal());
                continue;
            }
            if (tunnel.clampMss != 0 && MssClamp.clamp(batch.address[i], length, batch.offload[i], tunnel.clampMss))
            {
                count(context, Error.MSS_CLAMPED.ordinal());
            }
            final int sent = encapsulator.send(tunnel.underlay.socket(context.worker), tunnel, peer, batch, i);
            if (sent < 0)
            {
                drop(batch, i, Error.UNSUPPORTED_OFFLOAD.ordinal());
                continue;
            }
            context.counters.add(layout.portCounter(out.id, CounterLayout.PORT_TX_PACKETS), sent);
            context.counters.add(layout.portCounter(out.id, CounterLayout.PORT_TX_BYTES), length);
            context.markDirty(out);
            final CaptureSession capture = context.capture;
            if (capture != null && capture.wants(out.id, CaptureSession.DIRECTION_TX))
            {
                capture.offer(batch, i, CaptureSession.DIRECTION_TX, PortQueue.NO_TAG);
            }
            done(batch, i);
        }
    }

    @Override
    public int doDutyCycleWork(final WorkerContext context)
    {
        int work = 0;
        for (final UnderlayPort retiring : tables.get().retiring())
        {
            if (!retiring.socket(context.worker).isClosed() && retiring.socket(context.worker).closeIfAsked())
            {
                work++;
            }
        }
        return work;
    }
}
