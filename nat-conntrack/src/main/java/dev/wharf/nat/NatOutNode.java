package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * ip4-nat-out (netfilter's POSTROUTING: SNAT, then the conntrack confirm). A packet of a tracked
 * flow gets the SOURCE part of the flow's translation. A new flow, now that ip4-lookup chose where
 * it goes and ip4-user-rules let it pass, is given a source translation when it needs one
 * (masquerade to the uplink address, on networks that masquerade; hairpin to the gateway address; a
 * translated destination on a network with this host's own address, {@link NetworkState#hostIp}, to that),
 * and created: the reply tuple, which must be unique, decides the source port, so the original port
 * is tried first and then others chosen pseudo-randomly in the configured range, each try a
 * {@link ConntrackTable#create} that says CLASH when the tuple is taken. A full table early-drops an
 * unassured flow and tries once more (Linux's early_drop). Every failure is counted under its reason
 * and recorded with its tuple in the worker's {@link FailureRing}. A first fragment that creates its
 * flow has the flow remembered for its datagram's later fragments ({@link FragmentTable}); a later
 * fragment ({@link NatScratch#FRAGMENT}) gets the source address only, never the port.
 *
 * <p>One instance per worker, run on that worker's thread.
 */
public final class NatOutNode extends Node
{
    public static final String NAME = "ip4-nat-out";
    /** Tries of a source port beyond the original one before giving up (Linux tries up to 128). */
    static final int MAX_PORT_TRIES = 64;
    /** Entries early drop looks through for an unassured flow. */
    static final int EARLY_DROP_WINDOW = 256;
    private static final int NEXT_REWRITE = 0;
    private static final ConntrackTable.StatePredicate UNASSURED = word -> !ConnectionState.isAssured(word);

    public enum Error
    {
        NAT_PORTS_EXHAUSTED,
        TABLE_FULL,
        /** No network to leave into (ip4-lookup did not route it). */
        NO_OUT_NETWORK,
        /** An unassured flow removed to make room for a new one (not a drop of this packet). */
        EARLY_DROP,
        /** A fragment whose first fragment, in the same batch, set up no flow (denied, no room...). */
        NON_FIRST_FRAGMENT
    }

    private static final String[] ERROR_NAMES = names(Error.values());

    private final NatService service;
    private final NatScratch scratch;
    private final FailureRing failures;
    private final int portFirst;
    private final int portRange;

    NatOutNode(final NatService service, final NatScratch scratch, final FailureRing failures)
    {
        super(NAME, new String[]{FeatureArc.NEXT}, ERROR_NAMES, new String[]{"early-drop"});
        this.service = service;
        this.scratch = scratch;
        this.failures = failures;
        this.portFirst = service.configuration().portFirst();
        this.portRange = service.configuration().portLast() - portFirst + 1;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final ConntrackTable table = service.table();
        final int[] scratchNode = scratch.node;
        final long[] sourceTranslation = scratch.sourceTranslation;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final int node = scratchNode[i];
            if (node >= 0)
            {
                final long translation = sourceTranslation[i];
                if (translation != NatScratch.KEEP_SOURCE)
                {
                    NatRewriter.source(batch.frame(i), batch.l3Offset[i], batch.l4Offset[i], batch.offload[i],
                        NatScratch.translatedAddress(translation), NatScratch.translatedPort(translation));
                }
                next(batch, i, NEXT_REWRITE);
            }
            else if (node == NatScratch.NEW)
            {
                newFlow(batch, i, table, context);
            }
            else if (node == NatScratch.FRAGMENT)
            {
                final long translation = sourceTranslation[i];
                if (translation != NatScratch.KEEP_SOURCE)
                {
                    // payload at the L4 offset: the address alone
                    Ipv4Flyweight.rewriteAddress(batch.frame(i), batch.l3Offset[i], Ipv4Flyweight.SOURCE_OFFSET,
                        NatScratch.translatedAddress(translation));
                }
                next(batch, i, NEXT_REWRITE);
            }
            else if (node == NatScratch.FRAGMENT_OF_NEW)
            {
                fragmentOfNewFlow(batch, i, table, context);
            }
            else
            {
                next(batch, i, NEXT_REWRITE); // untracked, or related and already translated
            }
        }
    }

    /** A fragment whose first fragment, earlier in this batch, has just created its flow: the source address only. */
    private void fragmentOfNewFlow(final PacketBatch batch, final int i, final ConntrackTable table, final WorkerContext context)
    {
        final long found = scratch.fragments.lookup(scratch.originalAddresses[i], scratch.originalPorts[i], context.nowMs);
        if (found == FragmentTable.NOT_FOUND)
        {
            drop(batch, i, Error.NON_FIRST_FRAGMENT.ordinal());
            return;
        }
        final long peerAddresses = FragmentTable.peerAddresses(found, table);
        if (peerAddresses == FragmentTable.FLOW_GONE)
        {
            drop(batch, i, Error.NON_FIRST_FRAGMENT.ordinal());
            return;
        }
        Ipv4Flyweight.rewriteAddress(batch.frame(i), batch.l3Offset[i], Ipv4Flyweight.SOURCE_OFFSET, FlowKey.destination(peerAddresses));
        next(batch, i, NEXT_REWRITE);
    }

    /** The source part: original direction to the reply tuple's destination, reply direction to the original's. */
    private static void applySource(final PacketBatch batch, final int i, final ConntrackTable table, final int node)
    {
        NatRewriter.source(batch.frame(i), batch.l3Offset[i], batch.l4Offset[i], batch.offload[i],
            FlowKey.destination(table.nodeAddresses(node ^ 1)), FlowKey.destinationPort(table.nodePorts(node ^ 1)));
    }

    private void newFlow(final PacketBatch batch, final int i, final ConntrackTable table, final WorkerContext context)
    {
        final long originalAddresses = scratch.originalAddresses[i];
        final long originalPorts = scratch.originalPorts[i];
        final int protocol = FlowKey.protocol(originalPorts);
        final DataplaneSnapshot snapshot = context.snapshot;
        final int outIndex = batch.outNetwork[i];
        final NetworkState out = snapshot.network(outIndex);
        if (out == null)
        {
            drop(batch, i, Error.NO_OUT_NETWORK.ordinal());
            return;
        }
        final NetworkState in = snapshot.network(batch.network[i]);
        final UnsafeBuffer frame = batch.frame(i);
        final int l3 = batch.l3Offset[i];
        final int l4 = batch.l4Offset[i];
        final int source = frame.getInt(l3 + Ipv4Flyweight.SOURCE_OFFSET, BIG_ENDIAN);
        final int destination = frame.getInt(l3 + Ipv4Flyweight.DESTINATION_OFFSET, BIG_ENDIAN);
        final boolean echo = protocol == Ipv4Flyweight.PROTOCOL_ICMP;
        final boolean hasPorts = echo || protocol == Ipv4Flyweight.PROTOCOL_TCP || protocol == Ipv4Flyweight.PROTOCOL_UDP;
        final int sourcePort;
        final int destinationPort;
        if (echo)
        {
            sourcePort = frame.getShort(l4 + IcmpFlyweight.IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
            destinationPort = sourcePort;
        }
        else if (hasPorts)
        {
            sourcePort = frame.getShort(l4, BIG_ENDIAN) & 0xFFFF;
            destinationPort = frame.getShort(l4 + 2, BIG_ENDIAN) & 0xFFFF;
        }
        else
        {
            sourcePort = 0;
            destinationPort = 0;
        }

        int translatedSource = source;
        boolean snat = false;
        if (out.uplink && in != null && !in.uplink && service.masquerades(in.index))
        {
            translatedSource = out.gatewayIp;
            snat = true;
        }
        else if ((batch.flags[i] & PacketBatch.FLAG_PUBLISHED) != 0 && in != null && !scratch.routed[i])
        {
            if (out.hostIp != 0)
            {
                // a network whose gateway other hosts share (Swarm's routing mesh): the backend may be on another host,
                // whose gateway would take the reply; from this host's own address it comes back here to be de-translated
                translatedSource = out.hostIp;
                snat = true;
            }
            else if (outIndex == batch.network[i])
            {
                translatedSource = in.gatewayIp; // hairpin: the reply must come back through us to be de-translated
                snat = true;
            }
        }

        final int initialState = ConnectionState.withMark(scratch.routed[i] ? routedState(protocol) : protocol == Ipv4Flyweight.PROTOCOL_TCP ?
            TcpTracker.next(ConnectionState.NONE, 0, frame.getByte(l4 + TcpFlyweight.FLAGS_OFFSET) & 0xFF) : ConnectionState.UNREPLIED,
            scratch.mark[i]);
        final long expiresAt = context.nowMs + Timeouts.of(protocol, initialState);
        final long replyAddresses = FlowKey.addresses(destination, translatedSource);
        final int hash = FlowKey.hash(originalAddresses, originalPorts);
        final boolean keepFirst = !snat || (sourcePort - portFirst >= 0 && sourcePort - portFirst < portRange);
        final int tries = !hasPorts ? 1 : 1 + Math.min(portRange, MAX_PORT_TRIES);
        boolean evicted = false;
        for (int attempt = keepFirst ? 0 : 1; attempt < tries; attempt++)
        {
            final int port = attempt == 0 ? sourcePort : probe(hash, attempt);
            final long replyPorts = echo ? FlowKey.ports(protocol, outIndex, port, port) :
                FlowKey.ports(protocol, outIndex, destinationPort, port);
            final int created = table.create(originalAddresses, originalPorts, replyAddresses, replyPorts, initialState, expiresAt);
            if (created >= 0)
            {
                // the flow, ours or one another packet of the same connection made first: its translation
                applySource(batch, i, table, created);
                if (NatInNode.isFirstFragment(frame, l3))
                {
                    // keyed as ip4-nat-in will look the later fragments up: as they arrive, before any DNAT
                    scratch.fragments.put(originalAddresses, NatInNode.fragmentKey(frame, l3, protocol, batch.network[i]), created,
                        table.generation(ConntrackTable.flowOf(created)), context.nowMs);
                }
                next(batch, i, NEXT_REWRITE);
                return;
            }
            if (created == ConntrackTable.FULL)
            {
                if (!evicted && table.evictOne(EARLY_DROP_WINDOW, UNASSURED))
                {
                    evicted = true;
                    count(context, Error.EARLY_DROP.ordinal());
                    attempt--; // the same port again, now that there is room
                    continue;
                }
                fail(batch, i, context, Error.TABLE_FULL, originalAddresses, originalPorts);
                return;
            }
        }
        fail(batch, i, context, Error.NAT_PORTS_EXHAUSTED, originalAddresses, originalPorts);
    }

    /**
     * A direct-server-return flow's first state: established and answered, since its replies go from the
     * backend to the client and may never pass here (IPVS tracks DR connections by one direction too).
     */
    private static int routedState(final int protocol)
    {
        final int flags = ConnectionState.FLAG_SEEN_REPLY | ConnectionState.FLAG_ASSURED | ConnectionState.FLAG_ROUTED;
        return ConnectionState.with(flags, protocol == Ipv4Flyweight.PROTOCOL_TCP ? ConnectionState.ESTABLISHED : ConnectionState.REPLIED);
    }

    /**
     * The source port of try {@code attempt} (>= 1): a small range is walked in order from a point the
     * tuple's hash chooses, so every port is tried; a large one is sampled pseudo-randomly.
     */
    private int probe(final int hash, final int attempt)
    {
        final long step;
        if (portRange <= MAX_PORT_TRIES)
        {
            step = (hash & 0xFFFF_FFFFL) + attempt;
        }
        else
        {
            // a 64-bit step per attempt (Agrona's Hashing folds to 32 bits and multiplies twice)
            long h = (hash + (long)attempt * 0x9E37_79B9L) * 0xBF58_476D_1CE4_E5B9L;
            h ^= h >>> 31;
            step = h & Long.MAX_VALUE;
        }
        return portFirst + (int)(step % portRange);
    }

    private void fail(
        final PacketBatch batch, final int i, final WorkerContext context, final Error error, final long addresses, final long ports)
    {
        drop(batch, i, error.ordinal());
        failures.record(ERROR_NAMES[error.ordinal()], context.nowMs, addresses, ports);
    }
}
