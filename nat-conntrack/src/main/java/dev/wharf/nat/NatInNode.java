package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.DutyCycleTask;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.QuotedDatagram;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * ip4-nat-in (netfilter's PREROUTING: conntrack, then DNAT). Finds each packet's flow from either
 * direction, updates its state and expiry, and applies the DESTINATION part of its translation; the
 * source part waits for ip4-nat-out, after routing (as Linux applies SNAT in POSTROUTING), so an
 * ICMP error made by ip4-lookup quotes the packet as its sender sent it. A packet of no flow may
 * match a published port (its destination is translated, {@link PacketBatch#FLAG_PUBLISHED}); one to
 * a local address that matches nothing passes untracked (the gateway answers it); any other is a
 * new flow, which ip4-nat-out creates. ICMP errors about a tracked flow (RELATED) are translated
 * whole here: outer addresses, the quoted header and its checksums.
 *
 * <p>Fragments, by virtual reassembly (VPP's, without buffering; Linux reassembles instead): a first
 * fragment carries the ports and is matched and translated like a whole datagram (its incremental L4
 * checksum update holds for the whole datagram: the pseudo-header and the ports are all it changes),
 * and its flow is remembered in the worker's {@link FragmentTable} (here when the flow exists,
 * by ip4-nat-out when the fragment creates it). A later fragment is looked up there by its addresses,
 * protocol, IP identification and zone and gets its flow's ADDRESS translation only, here the
 * destination and in ip4-nat-out the source, with the IPv4 header checksum; its bytes past the header
 * are payload and never touched. Later fragments are resolved after the batch's lookups, so a first
 * fragment in the same batch counts. One whose first fragment was not seen (it came first, went to
 * another worker, or its flow is gone) is dropped and counted ({@code non-first-fragment}).
 *
 * <p>The batch is processed in passes, as VPP's node loops do, so the cache misses of a vector's
 * lookups overlap instead of following one another: the first pass parses every packet and hashes
 * its tuple (the frames are in cache), the second loads every packet's bucket head, the third every
 * first flow record, the next the second record where the first was another flow's (a shared
 * bucket), and only then the last does the lookups, state updates and rewrites, now on
 * lines already in cache. Among a million flows each of those loads is otherwise a miss to DRAM.
 *
 * <p>Packets of marked flows (a load-balancer backend's) are counted by mark and direction in the
 * worker's {@link MarkCounters}, where an established packet's state word is read anyway: an unmarked
 * flow pays one test of that word, a marked one an increment pair. A new connection's scheduling decision
 * is kept by batch index for a trace ({@link #traceDetail}), never formatted on the untraced path.
 *
 * <p>One instance per worker, run on that worker's thread; it shares its {@link NatScratch} with the
 * worker's ip4-nat-out.
 */
public final class NatInNode extends Node implements DutyCycleTask
{
    public static final String NAME = "ip4-nat-in";
    /** An expiry is rewritten only when it moves by at least this much, to keep the flow's cache line quiet. */
    static final long EXPIRY_GRANULARITY_MS = 1_000;
    private static final int NEXT_LOOKUP = 0;
    private static final int NEXT_TCP_RESET = 1;
    private static final int NEXT_ICMP_ERROR = 2;
    private static final int PORT_UNREACHABLE = IcmpErrorNode.encode(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, 3);
    private static final int TCP_CAS_ATTEMPTS = 8;
    /** {@link #updateState}: the flow was removed under us. Never a state word (those are small and positive). */
    private static final int FLOW_GONE = -1;
    /** {@link #updateState}: the control plane ended the flow ({@link ConnectionState#RESET}): answer with a reset. */
    private static final int ENDED = -2;
    /** {@link #updateState}: a SYN reuses the tuple of a closed load-balanced flow: schedule it afresh. */
    private static final int RESCHEDULE = -3;
    /** {@link #icmpPortPair}: the packet needs no lookup. Never a port pair (those fit in 32 bits). */
    private static final long DEALT_WITH = -1;
    /** SYN, FIN, RST: the flags that can move an established flow's state. */
    private static final int STATE_CHANGING_FLAGS = 0x07;
    private static final long STEADY_TIMEOUT_MS = Timeouts.TCP_ESTABLISHED.millis();

    public enum Error
    {
        /** A fragment whose first fragment was not seen (or whose flow is gone): no ports to match a flow with. */
        NON_FIRST_FRAGMENT,
        TRUNCATED,
        /** A TCP segment that cannot open a connection (a stray SYN-ACK, RST...) and belongs to none. */
        TCP_INVALID,
        /** A segment the flow's TCP state does not expect; forwarded, the state left as it was. */
        TCP_OUT_OF_STATE,
        /** An ICMP error quoting no tracked flow. */
        ICMP_ERROR_UNMATCHED,
        /** An ICMP error translated for a tracked flow (not a drop). */
        RELATED,
        /** A new connection to a published port (not a drop). */
        DNAT,
        /** A new connection to a virtual service, given a backend by the load balancer (not a drop). */
        SCHEDULED,
        /** A new connection to a virtual service with no backend to take it: refused (TCP reset, ICMP port unreachable). */
        NO_BACKEND,
        /** A segment of a flow the control plane ended (backend drained, address gone): answered with a reset, the flow removed. */
        ENDED,
        /** A SYN on the tuple of a closed load-balanced flow: the old flow removed, the connection scheduled afresh (not a drop). */
        RESCHEDULED
    }

    private final NatService service;
    private final NatScratch scratch;
    private final MarkCounters marks;
    /** The sum of the words the prefetch passes loaded: stored so the loads are not optimised away. */
    private long touched;
    /** Non-first fragments of the batch in flight, left by the first pass for the last ({@link #nonFirstFragment}). */
    private int pendingFragments;

    NatInNode(final NatService service, final NatScratch scratch, final MarkCounters marks)
    {
        super(NAME, new String[]{FeatureArc.NEXT, CoreNodes.TCP_RESET, CoreNodes.ICMP_ERROR}, names(Error.values()), names(Error.DNAT, Error.SCHEDULED, Error.NO_BACKEND, Error.ENDED, Error.RESCHEDULED, Error.TCP_OUT_OF_STATE, Error.RELATED));
        this.service = service;
        this.scratch = scratch;
        this.marks = marks;
    }

    /** Expires a slice of the connection table: the workers expire it themselves (see {@link ConntrackExpiry}). */
    @Override
    public int doDutyCycleWork(final WorkerContext context)
    {
        return service.expiry().run(context.nowMs);
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final ConntrackTable table = service.table();
        // the packets that need a lookup, listed densely with their buckets, so the load passes below
        // are tight loops: the more of their iterations the CPU holds at once, the more misses overlap
        final int[] lookupPackets = scratch.lookupPacket;
        final int[] buckets = scratch.bucket;
        int lookups = 0;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final int bucket = parse(batch, i, table, context);
            if (bucket != NatScratch.NO_LOOKUP)
            {
                lookupPackets[lookups] = i;
                buckets[lookups++] = bucket;
            }
        }
        // bring in every bucket head, then every first record, then every second record where the first
        // is another flow's (about one lookup in eight, listed densely): independent loads, so their misses overlap;
        // then the lookups, which check the node so found (on a line now in cache) and walk the chain
        // only when it is not the flow's (a chain past its second record misses again)
        final int[] headNodes = scratch.headNode;
        for (int j = 0; j < lookups; j++)
        {
            headNodes[j] = table.head(buckets[j]);
        }
        long touched = 0;
        for (int j = 0; j < lookups; j++)
        {
            touched += table.touch(headNodes[j]);
        }
        final long[] scratchAddresses = scratch.originalAddresses;
        final long[] scratchPorts = scratch.originalPorts;
        final int[] seconds = scratch.secondNode;
        int secondCount = 0;
        for (int j = 0; j < lookups; j++)
        {
            final int i = lookupPackets[j];
            final int head = headNodes[j];
            final int candidate = table.candidate(head, scratchAddresses[i], scratchPorts[i]);
            headNodes[j] = candidate; // now the node to try
            if (candidate != head && candidate >= 0)
            {
                seconds[secondCount++] = candidate;
            }
        }
        for (int k = 0; k < secondCount; k++)
        {
            touched += table.touch(seconds[k]);
        }
        this.touched += touched;
        final long[] handles = scratch.handle;
        for (int j = 0; j < lookups; j++)
        {
            final int i = lookupPackets[j];
            handles[j] = table.lookup(headNodes[j], buckets[j], scratchAddresses[i], scratchPorts[i]);
        }
        final PublishedPortIndex published = service.publishedPortIndex();
        final VirtualServices virtualServices = service.virtualServices();
        final DataplaneSnapshot snapshot = context.snapshot;
        final long nowMs = context.nowMs;
        final int[] scratchNode = scratch.node;
        final int[] scratchFlags = scratch.tcpFlags;
        for (int j = 0; j < lookups; j++)
        {
            final int i = lookupPackets[j];
            final long addresses = scratchAddresses[i];
            final long ports = scratchPorts[i];
            final int tcpFlags = scratchFlags[i];
            final long handle = handles[j];
            if (handle != ConntrackTable.NOT_FOUND && established(batch, i, addresses, ports, tcpFlags, handle, table, nowMs, context))
            {
                continue;
            }
            final UnsafeBuffer frame = batch.frame(i);
            final int l3 = batch.l3Offset[i];
            final int l4 = batch.l4Offset[i];
            final int protocol = FlowKey.protocol(ports);

            // a new flow: to a published port, to us, or through us
            final int destination = FlowKey.destination(addresses);
            final int destinationPort = FlowKey.destinationPort(ports);
            int entry = published.first(protocol, destinationPort);
            while (entry != PublishedPortIndex.NONE)
            {
                final int hostIp = published.hostIp[entry];
                if (hostIp == destination || (hostIp == 0 && isLocal(snapshot, destination)))
                {
                    break;
                }
                entry = published.next(entry);
            }
            if (entry == PublishedPortIndex.NONE && isLocal(snapshot, destination))
            {
                next(batch, i, NEXT_LOOKUP);
                continue;
            }
            if (protocol == Ipv4Flyweight.PROTOCOL_TCP && TcpTracker.next(ConnectionState.NONE, 0, tcpFlags) == TcpTracker.INVALID)
            {
                drop(batch, i, Error.TCP_INVALID.ordinal());
                continue;
            }
            int mark = 0;
            boolean routed = false;
            int serviceAddress = destination;
            int servicePort = destinationPort;
            if (entry != PublishedPortIndex.NONE)
            {
                translateDestination(batch, i, addresses, ports, published.containerIp[entry], published.containerPort[entry]);
                batch.flags[i] |= PacketBatch.FLAG_PUBLISHED;
                count(context, Error.DNAT.ordinal());
                // a port published to a VIP reaches the service: scheduled below as if addressed to it
                serviceAddress = published.containerIp[entry];
                servicePort = published.containerPort[entry];
            }
            if (protocol == Ipv4Flyweight.PROTOCOL_TCP || protocol == Ipv4Flyweight.PROTOCOL_UDP)
            {
                final long chosen = virtualServices.schedule(batch.network[i], protocol, FlowKey.source(addresses),
                    FlowKey.sourcePort(ports), serviceAddress, servicePort, nowMs);
                scratch.asked[i] = (long)protocol << 48 | (long)servicePort << 32 | (serviceAddress & 0xFFFF_FFFFL);
                scratch.answer[i] = chosen;
                if (chosen == VirtualServices.NO_BACKEND)
                {
                    scratchNode[i] = NatScratch.REFUSED;
                    refuse(batch, i, protocol, context);
                    continue;
                }
                if (chosen != VirtualServices.NOT_VIRTUAL)
                {
                    if (VirtualServices.isRouted(chosen))
                    {
                        routeTo(batch, i, VirtualServices.address(chosen));
                        routed = true;
                    }
                    else
                    {
                        translateDestination(batch, i, addresses, ports, VirtualServices.address(chosen), VirtualServices.port(chosen));
                    }
                    // judged as a published port's: reachable from every network (hairpinned within its own unless routed)
                    batch.flags[i] |= PacketBatch.FLAG_PUBLISHED;
                    mark = VirtualServices.mark(chosen);
                    marks.count(mark, 0, batch.length[i] - l3);
                    count(context, Error.SCHEDULED.ordinal());
                }
            }
            scratch.mark[i] = mark;
            scratch.routed[i] = routed;
            scratchNode[i] = NatScratch.NEW;
            next(batch, i, NEXT_LOOKUP);
        }
        if (pendingFragments > 0)
        {
            // last, so that a first fragment earlier in this batch is already in the fragment table
            pendingFragments = 0;
            for (int k = 0; k < count; k++)
            {
                final int i = packets[k];
                if (scratchNode[i] == NatScratch.FRAGMENT)
                {
                    nonFirstFragment(batch, i, packets, count, table, context);
                }
            }
        }
    }

    /**
     * The load balancer's decision for a new connection (the virtual service, its scheduler, the backend),
     * or its refusal, as {@link VirtualServices#describe} words it; null for any other packet.
     */
    @Override
    public String traceDetail(final PacketBatch batch, final int i)
    {
        final int node = scratch.node[i];
        final int protocol = FlowKey.protocol(scratch.originalPorts[i]);
        if ((node != NatScratch.NEW && node != NatScratch.REFUSED) ||
            (protocol != Ipv4Flyweight.PROTOCOL_TCP && protocol != Ipv4Flyweight.PROTOCOL_UDP))
        {
            return null;
        }
        final long asked = scratch.asked[i];
        final long answer = scratch.answer[i];
        if (answer == VirtualServices.NOT_VIRTUAL)
        {
            return null;
        }
        return service.virtualServices().describe((int)(asked >>> 48), (int)asked, (int)(asked >>> 32) & 0xFFFF, answer);
    }

    /** A new connection to a virtual service no backend can take: refused at once, as a closed port refuses it. */
    private void refuse(final PacketBatch batch, final int i, final int protocol, final WorkerContext context)
    {
        count(context, Error.NO_BACKEND.ordinal());
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP)
        {
            next(batch, i, NEXT_TCP_RESET);
        }
        else
        {
            batch.icmpError[i] = PORT_UNREACHABLE;
            next(batch, i, NEXT_ICMP_ERROR);
        }
    }

    /**
     * The first pass over a packet: parses its tuple into the scratch and returns its bucket, or, for
     * a packet that needs no lookup of its own (a non-first fragment, truncated, an ICMP error, untracked ICMP),
     * deals with it and returns {@link NatScratch#NO_LOOKUP}.
     */
    private int parse(final PacketBatch batch, final int i, final ConntrackTable table, final WorkerContext context)
    {
        final NatScratch scratch = this.scratch;
        scratch.node[i] = NatScratch.UNTRACKED;
        final UnsafeBuffer frame = batch.frame(i);
        final int l3 = batch.l3Offset[i];
        final int l4 = batch.l4Offset[i];
        final int fragment = frame.getShort(l3 + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN);
        if ((fragment & Ipv4Flyweight.FRAGMENT_OFFSET_MASK) != 0)
        {
            return deferFragment(i);
        }
        scratch.firstFragment[i] = (fragment & Ipv4Flyweight.MORE_FRAGMENTS) != 0;
        final int protocol = frame.getByte(l3 + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF;
        final int end = Math.min(l3 + (frame.getShort(l3 + Ipv4Flyweight.TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF), batch.length[i]);
        // source then destination address, as FlowKey packs them: one load
        final long addresses = frame.getLong(l3 + Ipv4Flyweight.SOURCE_OFFSET, BIG_ENDIAN);
        final long portPair; // source port << 16 | destination port
        int tcpFlags = 0;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP || protocol == Ipv4Flyweight.PROTOCOL_UDP)
        {
            if (l4 + (protocol == Ipv4Flyweight.PROTOCOL_TCP ? TcpFlyweight.MIN_HEADER_LENGTH : 8) > end)
            {
                return truncated(batch, i);
            }
            portPair = frame.getInt(l4, BIG_ENDIAN) & 0xFFFF_FFFFL;
            if (protocol == Ipv4Flyweight.PROTOCOL_TCP)
            {
                tcpFlags = frame.getByte(l4 + TcpFlyweight.FLAGS_OFFSET) & 0xFF;
            }
        }
        else if (protocol == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            portPair = icmpPortPair(batch, i, frame, l3, l4, end, table, context);
            if (portPair == DEALT_WITH)
            {
                return NatScratch.NO_LOOKUP;
            }
        }
        else
        {
            portPair = 0;
        }
        final long ports = FlowKey.ports(protocol, batch.network[i], 0, 0) | portPair;
        scratch.keepTuple(i, addresses, ports, tcpFlags);
        return table.bucket(addresses, ports);
    }

    /** A non-first fragment: resolved after the batch's lookups (see {@link #process}). */
    private int deferFragment(final int i)
    {
        scratch.node[i] = NatScratch.FRAGMENT;
        pendingFragments++;
        return NatScratch.NO_LOOKUP;
    }

    private int truncated(final PacketBatch batch, final int i)
    {
        drop(batch, i, Error.TRUNCATED.ordinal());
        return NatScratch.NO_LOOKUP;
    }

    /**
     * An ICMP packet's "ports" for its tuple: an echo's identifier in both. Anything else is dealt with
     * here ({@link #DEALT_WITH}): an error is translated for the flow it quotes (RELATED), other types
     * pass untracked, a truncated one is dropped. (Out of {@link #parse}, which stays small enough to inline.)
     */
    private long icmpPortPair(
        final PacketBatch batch, final int i, final UnsafeBuffer frame, final int l3, final int l4, final int end,
        final ConntrackTable table, final WorkerContext context)
    {
        if (l4 + IcmpFlyweight.HEADER_LENGTH > end)
        {
            truncated(batch, i);
            return DEALT_WITH;
        }
        final int type = frame.getByte(l4) & 0xFF;
        if (isIcmpError(type))
        {
            related(batch, i, frame, l3, l4, end, table, context);
            return DEALT_WITH;
        }
        if (type != IcmpFlyweight.TYPE_ECHO_REQUEST && type != IcmpFlyweight.TYPE_ECHO_REPLY)
        {
            next(batch, i, NEXT_LOOKUP); // timestamps, router adverts...: not tracked
            return DEALT_WITH;
        }
        final int identifier = frame.getShort(l4 + IcmpFlyweight.IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
        return (long)identifier << 16 | identifier;
    }

    /** @return false when the flow went away under us (treat the packet as new). */
    private boolean established(
        final PacketBatch batch, final int i, final long addresses, final long ports, final int tcpFlags, final long handle,
        final ConntrackTable table, final long nowMs, final WorkerContext context)
    {
        final int node = ConntrackTable.nodeOf(handle);
        final int flow = ConntrackTable.flowOf(node);
        final int direction = ConntrackTable.directionOf(node);
        // the destination part: original direction to the reply tuple's source, reply direction to the original's;
        // the source part, for ip4-nat-out: to the other tuple's destination. All of it, state and expiry
        // too, on the flow's one record line, read under one generation check: ip4-nat-out reads no record
        // (a flow removed and reused in between cannot lend its translation)
        final long peerAddresses = table.nodeAddresses(node ^ 1);
        final long peerPorts = table.nodePorts(node ^ 1);
        VarHandle.loadLoadFence(); // the translation read before the generation check that vouches for it
        final long generationAndState = table.generationAndState(flow);
        if ((int)(generationAndState >>> 32) != ConntrackTable.generationOf(handle))
        {
            return false;
        }
        final int protocol = FlowKey.protocol(ports);
        final long timeout = timeoutAfter(flow, direction, protocol, tcpFlags, generationAndState, table, context);
        if (timeout < 0)
        {
            return endedOrGone(batch, i, flow, (int)(generationAndState >>> 32), (int)timeout, table, context);
        }
        final int mark = ConnectionState.mark((int)generationAndState);
        if (mark != 0)
        {
            marks.count(mark, direction, batch.length[i] - batch.l3Offset[i]);
        }
        final long expiresAt = nowMs + timeout;
        final long moved = expiresAt - table.expiresAtMs(flow);
        if (moved >= EXPIRY_GRANULARITY_MS || moved <= -EXPIRY_GRANULARITY_MS)
        {
            table.expiresAtMs(flow, expiresAt);
        }
        final int newSource = FlowKey.destination(peerAddresses);
        final int newSourcePort = FlowKey.destinationPort(peerPorts);
        scratch.sourceTranslation[i] = newSource == FlowKey.source(addresses) && newSourcePort == FlowKey.sourcePort(ports) ?
            NatScratch.KEEP_SOURCE : NatScratch.sourceTranslation(newSource, newSourcePort);
        final int newDestination = FlowKey.source(peerAddresses);
        final int newDestinationPort = FlowKey.sourcePort(peerPorts);
        if (newDestination != FlowKey.destination(addresses) || newDestinationPort != FlowKey.destinationPort(ports))
        {
            // (a masqueraded flow's original direction keeps its destination: no need to touch the frame)
            translateDestination(batch, i, addresses, ports, newDestination, newDestinationPort);
        }
        if ((generationAndState & ConnectionState.FLAG_ROUTED) != 0 && direction == 0)
        {
            final int backend = service.virtualServices().backendAddress(ConnectionState.mark((int)generationAndState));
            if (backend != 0)
            {
                routeTo(batch, i, backend);
            }
        }
        batch.flags[i] |= PacketBatch.FLAG_ESTABLISHED;
        scratch.node[i] = node;
        if (scratch.firstFragment[i])
        {
            rememberFirstFragment(batch, i, addresses, ports, handle, nowMs);
        }
        next(batch, i, NEXT_LOOKUP);
        return true;
    }

    /**
     * A flow {@link #updateState} found ended or gone. Ended by the control plane: the segment is answered
     * with a reset and the flow removed. A closed load-balanced flow whose tuple a SYN reuses: removed,
     * so the SYN is a new connection and meets the scheduler (not the backend the old one had, which may
     * be quiesced or gone). Gone: the packet is new.
     *
     * @return true when the packet is dealt with; false to treat it as a new flow.
     */
    private boolean endedOrGone(
        final PacketBatch batch, final int i, final int flow, final int generation, final int outcome, final ConntrackTable table,
        final WorkerContext context)
    {
        if (outcome == ENDED)
        {
            table.remove(flow, generation);
            count(context, Error.ENDED.ordinal());
            next(batch, i, NEXT_TCP_RESET);
            return true;
        }
        if (outcome == RESCHEDULE && table.remove(flow, generation))
        {
            count(context, Error.RESCHEDULED.ordinal());
        }
        return false;
    }

    /**
     * The flow's timeout after this packet: the steady one (most packets: nothing to change), or its
     * state's after {@link #updateState}; {@link #FLOW_GONE} when the flow was removed under us. (Out
     * of {@link #established}, which stays small enough for the JIT to inline into the batch loop.)
     */
    private long timeoutAfter(
        final int flow, final int direction, final int protocol, final int tcpFlags, final long generationAndState,
        final ConntrackTable table, final WorkerContext context)
    {
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP && isSteady((int)generationAndState, direction, tcpFlags))
        {
            return STEADY_TIMEOUT_MS;
        }
        final int word = updateState(flow, direction, protocol, tcpFlags, generationAndState, table, context);
        return word < 0 ? word : Timeouts.of(protocol, word);
    }

    /** A first fragment of a tracked flow: its later fragments will find the flow by the fragment table. */
    private void rememberFirstFragment(
        final PacketBatch batch, final int i, final long addresses, final long ports, final long handle, final long nowMs)
    {
        scratch.fragments.put(addresses, fragmentKey(batch.frame(i), batch.l3Offset[i], FlowKey.protocol(ports), batch.network[i]),
            ConntrackTable.nodeOf(handle), ConntrackTable.generationOf(handle), nowMs);
    }

    /** @return the batch's packet that is the first fragment of datagram {@code (addresses, key)} and a new flow, or -1. */
    private int newFirstFragment(final PacketBatch batch, final int[] packets, final int count, final long addresses, final long key)
    {
        for (int k = 0; k < count; k++)
        {
            final int j = packets[k];
            if (scratch.node[j] == NatScratch.NEW && scratch.originalAddresses[j] == addresses)
            {
                final UnsafeBuffer frame = batch.frame(j);
                final int l3 = batch.l3Offset[j];
                if (isFirstFragment(frame, l3) && fragmentKey(frame, l3, FlowKey.protocol(scratch.originalPorts[j]), batch.network[j]) == key)
                {
                    return j;
                }
            }
        }
        return -1;
    }

    /** Offset 0 with more fragments to come: the fragment that carries the L4 header. */
    static boolean isFirstFragment(final UnsafeBuffer frame, final int l3)
    {
        final int fragment = frame.getShort(l3 + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN);
        return (fragment & (Ipv4Flyweight.MORE_FRAGMENTS | Ipv4Flyweight.FRAGMENT_OFFSET_MASK)) == Ipv4Flyweight.MORE_FRAGMENTS;
    }

    /** The {@link FragmentTable} key's second half for the datagram of the fragment at {@code l3}. */
    static long fragmentKey(final UnsafeBuffer frame, final int l3, final int protocol, final int zone)
    {
        return FragmentTable.key(protocol, zone, frame.getShort(l3 + Ipv4Flyweight.IDENTIFICATION_OFFSET, BIG_ENDIAN));
    }

    /**
     * A fragment after the first: its flow from the {@link FragmentTable}, still the generation its first
     * fragment matched, gives its addresses (as {@link #established} does the whole translation); the
     * destination is rewritten here, the source left to ip4-nat-out ({@link NatScratch#FRAGMENT}). Neither
     * its state nor its expiry moves: the first fragment did that for the datagram.
     *
     * <p>A first fragment earlier in the same batch that starts a new flow has no flow yet: ip4-nat-out
     * creates it after this node has seen the whole batch. Such a fragment takes its first fragment's
     * destination (translated if it was a published port) and leaves the rest to ip4-nat-out
     * ({@link NatScratch#FRAGMENT_OF_NEW}), which finds the flow by then, the batch's order being kept.
     *
     * <p>No {@link PacketBatch#FLAG_DESTINATION_REWRITTEN}: that would have icmp-error quote the arrived
     * destination, with a port this fragment does not carry; but icmp-error sends nothing about a
     * non-first fragment anyway (RFC 1812 4.3.2.7, its NON_FIRST_FRAGMENT suppression).
     */
    private void nonFirstFragment(
        final PacketBatch batch, final int i, final int[] packets, final int count, final ConntrackTable table,
        final WorkerContext context)
    {
        final UnsafeBuffer frame = batch.frame(i);
        final int l3 = batch.l3Offset[i];
        final long addresses = frame.getLong(l3 + Ipv4Flyweight.SOURCE_OFFSET, BIG_ENDIAN);
        final int protocol = frame.getByte(l3 + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF;
        final long key = fragmentKey(frame, l3, protocol, batch.network[i]);
        final long found = scratch.fragments.lookup(addresses, key, context.nowMs);
        if (found == FragmentTable.NOT_FOUND)
        {
            final int first = newFirstFragment(batch, packets, count, addresses, key);
            if (first < 0)
            {
                drop(batch, i, Error.NON_FIRST_FRAGMENT.ordinal());
                return;
            }
            Ipv4Flyweight.rewriteAddress(frame, l3, Ipv4Flyweight.DESTINATION_OFFSET,
                batch.frame(first).getInt(batch.l3Offset[first] + Ipv4Flyweight.DESTINATION_OFFSET, BIG_ENDIAN));
            // judged by ip4-lookup's isolation as its first fragment is: a published port's too
            batch.flags[i] |= batch.flags[first] & PacketBatch.FLAG_PUBLISHED;
            scratch.originalAddresses[i] = addresses;
            scratch.originalPorts[i] = key; // ip4-nat-out's key into the fragment table
            scratch.node[i] = NatScratch.FRAGMENT_OF_NEW;
            next(batch, i, NEXT_LOOKUP);
            return;
        }
        final long peerAddresses = FragmentTable.peerAddresses(found, table);
        if (peerAddresses == FragmentTable.FLOW_GONE)
        {
            drop(batch, i, Error.NON_FIRST_FRAGMENT.ordinal());
            return;
        }
        final int newSource = FlowKey.destination(peerAddresses);
        scratch.sourceTranslation[i] = newSource == FlowKey.source(addresses) ?
            NatScratch.KEEP_SOURCE : NatScratch.sourceTranslation(newSource, 0);
        Ipv4Flyweight.rewriteAddress(frame, l3, Ipv4Flyweight.DESTINATION_OFFSET, FlowKey.source(peerAddresses));
        // set up with its connection, as its first fragment was: ip4-lookup skips isolation for it too
        batch.flags[i] |= PacketBatch.FLAG_ESTABLISHED;
        scratch.node[i] = NatScratch.FRAGMENT;
        next(batch, i, NEXT_LOOKUP);
    }

    /** Direct server return: packet {@code i} goes to {@code backend}'s MAC with its destination (the VIP) unchanged. */
    private static void routeTo(final PacketBatch batch, final int i, final int backend)
    {
        batch.nextHop[i] = backend;
        batch.flags[i] |= PacketBatch.FLAG_NEXT_HOP_SET;
    }

    /**
     * Rewrites packet {@code i}'s destination, noting the one it arrived with (from its tuple) for an
     * ICMP error about it (icmp-error quotes the packet as its sender sent it).
     */
    private static void translateDestination(
        final PacketBatch batch, final int i, final long addresses, final long ports, final int newAddress, final int newPort)
    {
        batch.arrivedDestination[i] = (FlowKey.destination(addresses) & 0xFFFF_FFFFL) << 16 | FlowKey.destinationPort(ports);
        batch.flags[i] |= PacketBatch.FLAG_DESTINATION_REWRITTEN;
        NatRewriter.destination(batch.frame(i), batch.l3Offset[i], batch.l4Offset[i], batch.offload[i], newAddress, newPort);
    }

    /**
     * An established TCP flow's segment that changes nothing: no SYN, FIN or RST, and a reply already
     * seen if this is one ({@link TcpTracker#next} would return the word as it is).
     */
    static boolean isSteady(final int word, final int direction, final int tcpFlags)
    {
        return ConnectionState.of(word) == ConnectionState.ESTABLISHED && (tcpFlags & STATE_CHANGING_FLAGS) == 0 &&
            (direction == 0 || (word & ConnectionState.FLAG_SEEN_REPLY) != 0);
    }

    /**
     * Moves the flow's state for this packet, by CAS on the generation and state word (both directions
     * may update at once).
     *
     * @return the state word now, {@link #FLOW_GONE} when the flow was removed under us, {@link #ENDED} for a flow
     * the control plane ended, {@link #RESCHEDULE} for a SYN that reuses a closed load-balanced flow's tuple.
     */
    private int updateState(
        final int flow, final int direction, final int protocol, final int tcpFlags, final long seen, final ConntrackTable table,
        final WorkerContext context)
    {
        long generationAndState = seen;
        int word = (int)generationAndState;
        if (protocol != Ipv4Flyweight.PROTOCOL_TCP)
        {
            final int updated = nextDatagramState(word, direction);
            return updated != word && table.compareAndSetState(flow, generationAndState, updated) ? updated : word;
        }
        for (int attempt = 0; attempt < TCP_CAS_ATTEMPTS; attempt++)
        {
            final int state = ConnectionState.of(word);
            if (state == ConnectionState.RESET)
            {
                return ENDED;
            }
            final int updated = TcpTracker.next(word, direction, tcpFlags);
            if (ConnectionState.mark(word) != 0 && (state == ConnectionState.TIME_WAIT || state == ConnectionState.CLOSE) &&
                updated != TcpTracker.INVALID && ConnectionState.of(updated) == ConnectionState.SYN_SENT)
            {
                return RESCHEDULE;
            }
            if (updated == TcpTracker.INVALID)
            {
                count(context, Error.TCP_OUT_OF_STATE.ordinal());
                return word;
            }
            if (updated == word || table.compareAndSetState(flow, generationAndState, updated))
            {
                return updated;
            }
            generationAndState = table.generationAndState(flow);
            if ((int)(generationAndState >>> 32) != (int)(seen >>> 32))
            {
                return FLOW_GONE;
            }
            word = (int)generationAndState;
        }
        return word;
    }

    /** UDP, ICMP and the rest: replied once the reply direction is seen, assured by the next packet after that. */
    static int nextDatagramState(final int word, final int direction)
    {
        final int state = ConnectionState.of(word);
        if (state == ConnectionState.UNREPLIED)
        {
            return direction == 1 ? ConnectionState.with(word | ConnectionState.FLAG_SEEN_REPLY, ConnectionState.REPLIED) : word;
        }
        return state == ConnectionState.REPLIED ? word | ConnectionState.FLAG_ASSURED : word;
    }

    static boolean isIcmpError(final int type)
    {
        return type == IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE || type == IcmpFlyweight.TYPE_TIME_EXCEEDED || type == 12 ||
            type == 4 || type == 5;
    }

    /** The uplink's address or any network's gateway address. A scan of the networks: new flows only. */
    static boolean isLocal(final DataplaneSnapshot snapshot, final int address)
    {
        final int slots = snapshot.networkSlots();
        for (int n = 0; n < slots; n++)
        {
            final NetworkState network = snapshot.network(n);
            if (network != null && network.gatewayIp == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * An ICMP error: the quoted packet, reversed, is a tracked tuple. The error travels in the
     * flow's direction d that lookup found; the packet it quotes went the other way and is restored to
     * how its sender saw it (before translation): d = reply quotes the original tuple, d = original
     * quotes the reply tuple. Outer addresses get the flow's translation as a packet of direction d.
     */
    private void related(
        final PacketBatch batch, final int i, final UnsafeBuffer frame, final int l3, final int l4, final int end,
        final ConntrackTable table, final WorkerContext context)
    {
        final int inner = l4 + IcmpFlyweight.HEADER_LENGTH;
        if (inner + Ipv4Flyweight.MIN_HEADER_LENGTH > end || ((frame.getByte(inner) >>> 4) & 0xF) != 4)
        {
            drop(batch, i, Error.TRUNCATED.ordinal());
            return;
        }
        final int innerL4 = inner + ((frame.getByte(inner) & 0xF) << 2);
        if (innerL4 + 8 > end)
        {
            drop(batch, i, Error.TRUNCATED.ordinal());
            return;
        }
        final int innerProtocol = frame.getByte(inner + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF;
        final int innerSource = frame.getInt(inner + Ipv4Flyweight.SOURCE_OFFSET, BIG_ENDIAN);
        final int innerDestination = frame.getInt(inner + Ipv4Flyweight.DESTINATION_OFFSET, BIG_ENDIAN);
        int innerSourcePort = 0;
        int innerDestinationPort = 0;
        if (innerProtocol == Ipv4Flyweight.PROTOCOL_TCP || innerProtocol == Ipv4Flyweight.PROTOCOL_UDP)
        {
            innerSourcePort = frame.getShort(innerL4, BIG_ENDIAN) & 0xFFFF;
            innerDestinationPort = frame.getShort(innerL4 + 2, BIG_ENDIAN) & 0xFFFF;
        }
        else if (innerProtocol == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            final int type = frame.getByte(innerL4) & 0xFF;
            if (type != IcmpFlyweight.TYPE_ECHO_REQUEST && type != IcmpFlyweight.TYPE_ECHO_REPLY)
            {
                drop(batch, i, Error.ICMP_ERROR_UNMATCHED.ordinal());
                return;
            }
            innerSourcePort = frame.getShort(innerL4 + IcmpFlyweight.IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
            innerDestinationPort = innerSourcePort;
        }
        final long handle = table.lookup(
            FlowKey.addresses(innerDestination, innerSource),
            FlowKey.ports(innerProtocol, batch.network[i], innerDestinationPort, innerSourcePort));
        if (handle == ConntrackTable.NOT_FOUND)
        {
            drop(batch, i, Error.ICMP_ERROR_UNMATCHED.ordinal());
            return;
        }
        final int node = ConntrackTable.nodeOf(handle);
        final int flow = ConntrackTable.flowOf(node);
        final int direction = ConntrackTable.directionOf(node);
        final long oa = table.originalAddresses(flow);
        final long op = table.originalPorts(flow);
        final long ra = table.replyAddresses(flow);
        final long rp = table.replyPorts(flow);
        if (table.generation(flow) != ConntrackTable.generationOf(handle))
        {
            drop(batch, i, Error.ICMP_ERROR_UNMATCHED.ordinal());
            return;
        }
        final long quotedAddresses = direction == 1 ? oa : ra;
        final long quotedPorts = direction == 1 ? op : rp;
        QuotedDatagram.rewrite(frame, inner, end, true, FlowKey.source(quotedAddresses), FlowKey.sourcePort(quotedPorts));
        QuotedDatagram.rewrite(frame, inner, end, false, FlowKey.destination(quotedAddresses), FlowKey.destinationPort(quotedPorts));

        final int outerSource = frame.getInt(l3 + Ipv4Flyweight.SOURCE_OFFSET, BIG_ENDIAN);
        // the error's sender is the flow's far end only when it reports about itself; a router on the way keeps its address
        final int farEnd = direction == 0 ? FlowKey.source(oa) : FlowKey.source(ra);
        if (outerSource == farEnd)
        {
            NatRewriter.source(frame, l3, l4, 0, direction == 0 ? FlowKey.destination(ra) : FlowKey.destination(oa), 0);
        }
        NatRewriter.destination(frame, l3, l4, 0, direction == 0 ? FlowKey.source(ra) : FlowKey.source(oa), 0);
        frame.putShort(l4 + IcmpFlyweight.CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
        frame.putShort(l4 + IcmpFlyweight.CHECKSUM_OFFSET, (short)Checksums.finish(Checksums.sum(frame, l4, end - l4, 0)), BIG_ENDIAN);

        batch.flags[i] |= PacketBatch.FLAG_ESTABLISHED;
        scratch.node[i] = NatScratch.RELATED;
        count(context, Error.RELATED.ordinal());
        next(batch, i, NEXT_LOOKUP);
    }
}
