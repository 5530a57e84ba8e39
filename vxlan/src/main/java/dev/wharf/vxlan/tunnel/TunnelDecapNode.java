package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.protocol.GeneveHeader;
import dev.wharf.vxlan.protocol.VxlanHeader;

import java.util.function.Supplier;

/**
 * vxlan-decap / geneve-decap, on the device-input arc: claims the batches of its encapsulation's
 * underlay port, checks each datagram's tunnel header, finds the overlay network by VNI and hands the
 * inner frame on to ethernet-input as a frame received on that network's tunnel port, from the VTEP
 * that sent it (its peer, which l2-learn records). Other ports' batches pass untouched. Malformed
 * headers and unknown VNIs are dropped under their reason.
 */
public final class TunnelDecapNode extends Node
{
    public enum Error
    {
        DECAPSULATED,
        TRUNCATED,
        NO_VNI_FLAG,
        BAD_VERSION,
        BAD_OPTION_LENGTH,
        CRITICAL_OPTION,
        NOT_ETHERNET,
        UNKNOWN_VNI,
        MSS_CLAMPED
    }

    private static final int NEXT = 0;

    private final Encapsulation encapsulation;
    private final Supplier<OverlayTables> tables;

    public TunnelDecapNode(final Encapsulation encapsulation, final Supplier<OverlayTables> tables)
    {
        super(encapsulation.label() + "-decap", new String[]{FeatureArc.NEXT}, names(Error.values()), names(Error.DECAPSULATED));
        this.encapsulation = encapsulation;
        this.tables = tables;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final OverlayTables overlay = tables.get();
        final int underlay = overlay.underlayPort(encapsulation);
        // a worker receives a batch from one port at a time: one look at the first packet tells whose it is
        if (underlay < 0 || batch.inPort[packets[0]] != underlay)
        {
            for (int k = 0; k < count; k++)
            {
                next(batch, packets[k], NEXT);
            }
            return;
        }
        final CounterLayout layout = context.layout;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if (batch.inPort[i] != underlay)
            {
                next(batch, i, NEXT);
                continue;
            }
            final long address = batch.address[i];
            final int length = batch.length[i];
            final int headerLength;
            final int vni;
            if (encapsulation == Encapsulation.VXLAN)
            {
                if (length < VxlanHeader.LENGTH)
                {
                    drop(batch, i, Error.TRUNCATED.ordinal());
                    continue;
                }
                vni = VxlanHeader.vniOf(address);
                if (vni == VxlanHeader.NO_VNI_FLAG)
                {
                    drop(batch, i, Error.NO_VNI_FLAG.ordinal());
                    continue;
                }
                headerLength = VxlanHeader.LENGTH;
            }
            else
            {
                headerLength = GeneveHeader.parse(address, length);
                if (headerLength < 0)
                {
                    drop(batch, i, geneveError(headerLength));
                    continue;
                }
                vni = GeneveHeader.vniOf(address);
            }
            final int tunnelPort = overlay.tunnelPort(encapsulation, vni);
            if (tunnelPort < 0)
            {
                drop(batch, i, Error.UNKNOWN_VNI.ordinal());
                continue;
            }
            batch.adjustStart(i, headerLength);
            batch.inPort[i] = tunnelPort;
            final Tunnel tunnel = overlay.tunnelAt(tunnelPort);
            if (tunnel.clampMss != 0 && MssClamp.clamp(batch.address[i], batch.length[i], 0, tunnel.clampMss))
            {
                count(context, Error.MSS_CLAMPED.ordinal()); // a SYN from a far container whose MTU is above the tunnel's
            }
            context.counters.increment(layout.portCounter(tunnelPort, CounterLayout.PORT_RX_PACKETS));
            context.counters.add(layout.portCounter(tunnelPort, CounterLayout.PORT_RX_BYTES), batch.length[i]);
            count(context, Error.DECAPSULATED.ordinal());
            next(batch, i, NEXT);
        }
    }

    private static int geneveError(final int reason)
    {
        return switch (reason)
        {
            case GeneveHeader.BAD_VERSION -> Error.BAD_VERSION.ordinal();
            case GeneveHeader.BAD_OPTION_LENGTH -> Error.BAD_OPTION_LENGTH.ordinal();
            case GeneveHeader.CRITICAL_OPTION -> Error.CRITICAL_OPTION.ordinal();
            case GeneveHeader.NOT_ETHERNET -> Error.NOT_ETHERNET.ordinal();
            default -> Error.TRUNCATED.ordinal();
        };
    }
}
