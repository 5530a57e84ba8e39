package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;

/**
 * ip4-user-rules (the role of Docker's DOCKER-USER chain): a connection about to be set up, routed
 * and admitted by isolation, is checked against the user rules in order; the first that matches
 * decides, and one that no rule matches is allowed. Only new connections see the rules
 * ({@link NatScratch#NEW}, from ip4-nat-in): packets of tracked ones, related ICMP errors and
 * fragments follow their connection. A denial is counted and recorded with its tuple in the worker's
 * {@link FailureRing}, as ip4-nat-out's failures are.
 *
 * <p>The rules see the connection's original tuple as it arrived: the source before ip4-nat-out's
 * masquerade (the container's address) and the destination before ip4-nat-in's DNAT (the published
 * host address and port, or the VIP), the addresses the user wrote in {@code -p} and {@code lb add}.
 *
 * <p>A reject answers at once: a TCP segment becomes tcp-reset's reset (from the address it was sent
 * to, so the client sees "connection refused"), a UDP datagram icmp-error's port unreachable (what a
 * closed port answers), anything else an ICMP "administratively prohibited" unreachable. A TCP
 * segment whose destination ip4-nat-in translated (a published port) gets the ICMP error too, which
 * quotes the destination the client sent to: a reset from the container's own address would match
 * no socket of the client. The reject is counted as an event (the packet became the answer).
 *
 * <p>One instance per worker, run on that worker's thread.
 */
final class UserRulesNode extends Node
{
    public static final String NAME = "ip4-user-rules";

    private static final int NEXT = 0;
    private static final int NEXT_TCP_RESET = 1;
    private static final int NEXT_ICMP_ERROR = 2;

    static final int PORT_UNREACHABLE = IcmpErrorNode.encode(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_PORT_UNREACHABLE);
    static final int ADMIN_PROHIBITED = IcmpErrorNode.encode(IcmpFlyweight.TYPE_DESTINATION_UNREACHABLE, IcmpErrorNode.CODE_ADMIN_PROHIBITED);

    public enum Error
    {
        DENIED_BY_RULE,
        /** Counted, not dropped: the packet became a reset or an ICMP unreachable. */
        REJECTED_BY_RULE
    }

    private static final String[] ERROR_NAMES = names(Error.values());

    private final NatService service;
    private final NatScratch scratch;
    private final FailureRing failures;

    UserRulesNode(final NatService service, final NatScratch scratch, final FailureRing failures)
    {
        super(NAME, new String[]{FeatureArc.NEXT, CoreNodes.TCP_RESET, CoreNodes.ICMP_ERROR}, ERROR_NAMES, names(Error.REJECTED_BY_RULE));
        this.service = service;
        this.scratch = scratch;
        this.failures = failures;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final UserRule[] rules = service.userRules();
        final int[] node = scratch.node;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if (rules.length == 0 || node[i] != NatScratch.NEW)
            {
                next(batch, i, NEXT);
                continue;
            }
            final long addresses = scratch.originalAddresses[i];
            final long ports = scratch.originalPorts[i];
            final int protocol = FlowKey.protocol(ports);
            final int action = UserRule.decide(rules, FlowKey.source(addresses), FlowKey.destination(addresses), protocol,
                FlowKey.destinationPort(ports));
            if (action == UserRule.DENY)
            {
                drop(batch, i, Error.DENIED_BY_RULE.ordinal());
                failures.record(ERROR_NAMES[Error.DENIED_BY_RULE.ordinal()], context.nowMs, addresses, ports);
            }
            else if (action == UserRule.REJECT)
            {
                count(context, Error.REJECTED_BY_RULE.ordinal());
                failures.record(ERROR_NAMES[Error.REJECTED_BY_RULE.ordinal()], context.nowMs, addresses, ports);
                if (protocol == Ipv4Flyweight.PROTOCOL_TCP && (batch.flags[i] & PacketBatch.FLAG_DESTINATION_REWRITTEN) == 0)
                {
                    next(batch, i, NEXT_TCP_RESET);
                }
                else
                {
                    batch.icmpError[i] = protocol == Ipv4Flyweight.PROTOCOL_UDP ? PORT_UNREACHABLE : ADMIN_PROHIBITED;
                    next(batch, i, NEXT_ICMP_ERROR);
                }
            }
            else
            {
                next(batch, i, NEXT);
            }
        }
    }
}
