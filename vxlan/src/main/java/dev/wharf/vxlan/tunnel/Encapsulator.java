package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.offload.SoftwareOffload;
import dev.wharf.dataplane.port.PortQueue;
import dev.wharf.vxlan.Encapsulation;
import dev.wharf.vxlan.underlay.UnderlaySocket;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts one frame of a batch into tunnel datagrams to one VTEP: the tunnel header (VXLAN or Geneve,
 * written from the tunnel's VNI) and the inner frame behind it, in the socket's send buffer. The far
 * side's kernel or switch takes no offload metadata, so a GSO super-frame is segmented here, each
 * segment its own datagram, and a partial checksum is completed. One per worker; no allocation but
 * the send buffers Netty pools.
 */
public final class Encapsulator
{
    public static final int UNSUPPORTED = -1;

    private final SoftwareOffload offload = new SoftwareOffload();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    /**
     * Sends packet {@code i} of {@code batch} to {@code vtep} through {@code socket}.
     *
     * @return datagrams queued, or {@link #UNSUPPORTED} for a GSO frame that cannot be segmented or a partial
     * checksum outside the frame.
     */
    public int send(final UnderlaySocket socket, final Tunnel tunnel, final int vtep, final PacketBatch batch, final int i)
    {
        final Encapsulation encapsulation = tunnel.encapsulation;
        final int headerLength = encapsulation.headerLength();
        final long frame = batch.address[i];
        final int length = batch.length[i];
        final long info = batch.offload[i];
        if (OffloadInfo.isGso(info))
        {
            final int segments = offload.prepare(frame, length, info);
            if (segments == SoftwareOffload.UNSUPPORTED)
            {
                return UNSUPPORTED;
            }
            return sendSegments(socket, tunnel, vtep, segments, InnerFlowHash.of(frame, length));
        }
        final long datagram = socket.beginDatagram(headerLength + length);
        encapsulation.writeHeader(datagram, tunnel.vni);
        UnsafeApi.copyMemory(frame, datagram + headerLength, length);
        if (OffloadInfo.needsChecksum(info))
        {
            view.wrap(datagram + headerLength, length);
            if (!SoftwareOffload.completeChecksum(view, 0, length, OffloadInfo.csumStart(info), OffloadInfo.csumOffset(info)))
            {
                socket.abandonDatagram();
                return UNSUPPORTED;
            }
        }
        socket.endDatagram(vtep, headerLength + length, InnerFlowHash.of(datagram + headerLength, length));
        return 1;
    }

    /**
     * The segments of the prepared super-frame, each behind its tunnel header: in trains of equal datagrams, one
     * send each (UDP GSO), as the frame's own GSO size cut them; one datagram per send where the socket cannot.
     */
    private int sendSegments(final UnderlaySocket socket, final Tunnel tunnel, final int vtep, final int segments, final int flow)
    {
        final Encapsulation encapsulation = tunnel.encapsulation;
        final int headerLength = encapsulation.headerLength();
        final int datagramSize = headerLength + offload.largestSegmentLength();
        final int perTrain = socket.segmentedSends() ?
            Math.max(1, Math.min(UnderlaySocket.MAX_TRAIN_SEGMENTS, UnderlaySocket.MAX_TRAIN_BYTES / datagramSize)) : 1;
        for (int first = 0; first < segments; first += perTrain)
        {
            final int count = Math.min(perTrain, segments - first);
            final long train = socket.beginDatagram(count * datagramSize);
            int offset = 0;
            for (int k = first; k < first + count; k++)
            {
                final int segmentLength = offload.segmentLength(k, PortQueue.NO_TAG);
                encapsulation.writeHeader(train + offset, tunnel.vni);
                view.wrap(train + offset + headerLength, segmentLength);
                offload.writeSegment(k, view, 0, PortQueue.NO_TAG);
                offset += headerLength + segmentLength;
            }
            socket.endTrain(vtep, offset, datagramSize, flow);
        }
        return segments;
    }
}
