package dev.wharf.vxlan.tunnel;

import dev.wharf.dataplane.buffer.BufferPool;
import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.offload.OffloadInfo;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import org.agrona.UnsafeApi;

import java.util.function.Supplier;

/**
 * overlay-gro, on the device-input arc after the decap nodes: software GRO for what leaves the tunnel.
 * Runs of consecutive packets of one batch (in batch order) that are in-order segments of one TCP/IPv4
 * flow are coalesced into one super-frame with GSO metadata (TCPV4, the run's segment size, a partial
 * checksum), as Linux's tcp_gro_receive would, so a container behind an offloading port receives
 * 64 KiB frames instead of 45 segments, as on the bridged path; a port without offloads segments it
 * again in software on the way out.
 *
 * <p>A segment joins the run when: IPv4 with a 20-byte header, not a fragment, TCP; the same addresses,
 * ports, TOS, TTL and DF as the run; the same TCP header length and option bytes (timestamps
 * included), the same ACK number, flags exactly ACK (PSH allowed, and it ends the run); its sequence
 * number continues the run's; a payload of the run's segment size (a smaller one joins and ends the
 * run); and the merged IP length stays within 65,535. Anything else ends the run and passes on as it
 * came; a packet of another flow in between ends it too.
 *
 * <p>A merged frame is written into a slot of this node's own pool (one per worker) and the run's first
 * packet is repointed to it; the others are done. Slots are given back at the start of the next call:
 * the graph runs a batch to completion and ports copy on send, so nothing refers to them by then. When
 * no slot is free the run stays unmerged.
 */
public final class TunnelGroNode extends Node
{
    public static final String NAME = "overlay-gro";

    public enum Error
    {
        COALESCED,
        SUPER_FRAMES,
        NO_SLOT
    }

    private static final int NEXT = 0;
    private static final int IP = EthernetFlyweight.HEADER_LENGTH;
    private static final int IP_HEADER = 20;
    private static final int TCP = IP + IP_HEADER;
    private static final int MAX_IP_LENGTH = 65_535;
    private static final int SLOTS = 32;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int TCP_FLAGS_OFFSET = 13;
    private static final int TCP_WINDOW_OFFSET = 14;
    private static final int TCP_CHECKSUM_OFFSET = 16;

    private final Supplier<OverlayTables> tables;
    private final BufferPool pool = new BufferPool(SLOTS, MAX_IP_LENGTH + EthernetFlyweight.HEADER_LENGTH, BufferPool.DEFAULT_HEADROOM);
    private final int[] used = new int[SLOTS];
    private int usedCount;

    // the run being built: its first packet, where its merged frame is written, and what the next segment must match
    private int runFirst = -1;
    private int runSegments;
    private long runAddress;
    private int runLength;
    private int runSegmentSize;
    private int runHeaders;
    private long runNextSequence;
    private boolean runClosed;

    public TunnelGroNode(final Supplier<OverlayTables> tables)
    {
        super(NAME, new String[]{FeatureArc.NEXT}, names(Error.values()), names(Error.NO_SLOT, Error.COALESCED, Error.SUPER_FRAMES));
        this.tables = tables;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        for (int u = 0; u < usedCount; u++)
        {
            pool.release(used[u]);
        }
        usedCount = 0;
        final OverlayTables overlay = tables.get();
        runFirst = -1;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if (overlay.tunnelAt(batch.inPort[i]) == null || batch.offload[i] != 0)
            {
                endRun(batch, context);
                next(batch, i, NEXT);
                continue;
            }
            final int payload = mergeablePayload(batch.address[i], batch.length[i]);
            if (payload <= 0)
            {
                endRun(batch, context);
                next(batch, i, NEXT);
                continue;
            }
            if (runFirst >= 0 && joins(batch, i, payload, context))
            {
                done(batch, i);
                continue;
            }
            endRun(batch, context);
            startRun(batch, i, payload);
            next(batch, i, NEXT);
        }
        endRun(batch, context);
    }

    /** The TCP payload length of a segment GRO may merge (see the class comment), or 0. */
    private static int mergeablePayload(final long frame, final int length)
    {
        if (length < TCP + 20 ||
            (Short.reverseBytes(UnsafeApi.getShort(frame + EthernetFlyweight.ETHER_TYPE_OFFSET)) & 0xFFFF) != EthernetFlyweight.TYPE_IPV4 ||
            UnsafeApi.getByte(frame + IP) != 0x45 || UnsafeApi.getByte(frame + IP + 9) != 6 ||
            (Short.reverseBytes(UnsafeApi.getShort(frame + IP + 6)) & 0x3FFF) != 0)
        {
            return 0;
        }
        final int ipLength = Short.reverseBytes(UnsafeApi.getShort(frame + IP + 2)) & 0xFFFF;
        final int tcpHeader = ((UnsafeApi.getByte(frame + TCP + 12) & 0xFF) >>> 4) * 4;
        final int flags = UnsafeApi.getByte(frame + TCP + TCP_FLAGS_OFFSET) & 0xFF;
        if (IP + ipLength > length || tcpHeader < 20 || IP_HEADER + tcpHeader >= ipLength || (flags & ~PSH) != ACK)
        {
            return 0;
        }
        return ipLength - IP_HEADER - tcpHeader;
    }

    private void startRun(final PacketBatch batch, final int i, final int payload)
    {
        runFirst = i;
        runSegments = 1;
        runAddress = 0;
        final long frame = batch.address[i];
        runHeaders = TCP + ((UnsafeApi.getByte(frame + TCP + 12) & 0xFF) >>> 4) * 4;
        runLength = runHeaders + payload;
        runSegmentSize = payload;
        runNextSequence = (sequence(frame) + payload) & 0xFFFF_FFFFL;
        runClosed = (UnsafeApi.getByte(frame + TCP + TCP_FLAGS_OFFSET) & PSH) != 0;
    }

    /** Appends segment {@code i} to the run when it continues it; false leaves everything as it was. */
    private boolean joins(final PacketBatch batch, final int i, final int payload, final WorkerContext context)
    {
        final long frame = batch.address[i];
        final long first = runAddress != 0 ? runAddress : batch.address[runFirst];
        if (runClosed || payload > runSegmentSize || runLength + payload - IP > MAX_IP_LENGTH ||
            sequence(frame) != runNextSequence || !sameFlow(first, frame))
        {
            return false;
        }
        if (runAddress == 0)
        {
            final int slot = pool.acquire();
            if (slot < 0)
            {
                count(context, Error.NO_SLOT.ordinal());
                return false;
            }
            used[usedCount++] = slot;
            runAddress = pool.dataAddress(slot);
            UnsafeApi.copyMemory(batch.address[runFirst], runAddress, runLength);
        }
        UnsafeApi.copyMemory(frame + runHeaders, runAddress + runLength, payload);
        runLength += payload;
        runSegments++;
        runNextSequence = (runNextSequence + payload) & 0xFFFF_FFFFL;
        // the last segment's window and PSH are the merged frame's (what the receiver would have acted on last)
        UnsafeApi.putShort(runAddress + TCP + TCP_WINDOW_OFFSET, UnsafeApi.getShort(frame + TCP + TCP_WINDOW_OFFSET));
        final byte flags = UnsafeApi.getByte(frame + TCP + TCP_FLAGS_OFFSET);
        UnsafeApi.putByte(runAddress + TCP + TCP_FLAGS_OFFSET, flags);
        runClosed = (flags & PSH) != 0 || payload < runSegmentSize;
        count(context, Error.COALESCED.ordinal());
        return true;
    }

    /** Same TOS, DF, TTL, addresses, ports, header length, ACK number and TCP options as the run's first segment. */
    private boolean sameFlow(final long first, final long frame)
    {
        if (UnsafeApi.getByte(first + IP + 1) != UnsafeApi.getByte(frame + IP + 1) ||
            UnsafeApi.getByte(first + IP + 6) != UnsafeApi.getByte(frame + IP + 6) ||
            UnsafeApi.getByte(first + IP + 8) != UnsafeApi.getByte(frame + IP + 8) ||
            UnsafeApi.getLong(first + IP + 12) != UnsafeApi.getLong(frame + IP + 12) ||
            UnsafeApi.getInt(first + TCP) != UnsafeApi.getInt(frame + TCP) ||
            UnsafeApi.getInt(first + TCP + 8) != UnsafeApi.getInt(frame + TCP + 8) ||
            UnsafeApi.getByte(first + TCP + 12) != UnsafeApi.getByte(frame + TCP + 12))
        {
            return false;
        }
        for (int offset = TCP + 20; offset < runHeaders; offset += 4)
        {
            if (UnsafeApi.getInt(first + offset) != UnsafeApi.getInt(frame + offset))
            {
                return false;
            }
        }
        return true;
    }

    /** Turns a run of two or more segments into its super-frame in place of its first packet. */
    private void endRun(final PacketBatch batch, final WorkerContext context)
    {
        final int i = runFirst;
        runFirst = -1;
        if (i < 0 || runSegments < 2)
        {
            return;
        }
        final long frame = runAddress;
        final int ipLength = runLength - IP;
        UnsafeApi.putShort(frame + IP + 2, Short.reverseBytes((short)ipLength));
        UnsafeApi.putShort(frame + IP + 10, (short)0);
        UnsafeApi.putShort(frame + IP + 10, Short.reverseBytes((short)ipv4HeaderChecksum(frame + IP)));
        // a partial checksum, as a NIC's GRO hands one up: the pseudo-header's sum, folded, not inverted
        final int tcpLength = ipLength - IP_HEADER;
        long pseudo = 6L + tcpLength;
        final int source = Integer.reverseBytes(UnsafeApi.getInt(frame + IP + 12));
        final int destination = Integer.reverseBytes(UnsafeApi.getInt(frame + IP + 16));
        pseudo += (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF);
        UnsafeApi.putShort(frame + TCP + TCP_CHECKSUM_OFFSET, Short.reverseBytes((short)fold(pseudo)));
        batch.address[i] = frame;
        batch.length[i] = runLength;
        batch.headroom[i] = pool.headroom();
        batch.offload[i] = OffloadInfo.pack(OffloadInfo.FLAG_NEEDS_CSUM, OffloadInfo.GSO_TCPV4, runSegmentSize, TCP, TCP_CHECKSUM_OFFSET);
        count(context, Error.SUPER_FRAMES.ordinal());
    }

    private static long sequence(final long frame)
    {
        return Integer.reverseBytes(UnsafeApi.getInt(frame + TCP + 4)) & 0xFFFF_FFFFL;
    }

    private static int ipv4HeaderChecksum(final long header)
    {
        long sum = 0;
        for (int offset = 0; offset < IP_HEADER; offset += 2)
        {
            sum += Short.reverseBytes(UnsafeApi.getShort(header + offset)) & 0xFFFF;
        }
        return ~fold(sum) & 0xFFFF;
    }

    private static int fold(final long value)
    {
        long sum = value;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }
}
