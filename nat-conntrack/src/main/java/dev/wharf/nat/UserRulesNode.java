package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
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
 * <p>One instance per worker, run on that worker's thread.
 */
final class UserRulesNode extends Node
{
    public static final String NAME = "ip4-user-rules";

    private static final int NEXT = 0;

    public enum Error
    {
        DENIED_BY_RULE
    }

    private static final String[] ERROR_NAMES = names(Error.values());

    private final NatService service;
    private final NatScratch scratch;
    private final FailureRing failures;

    UserRulesNode(final NatService service, final NatScratch scratch, final FailureRing failures)
    {
        super(NAME, new String[]{FeatureArc.NEXT}, ERROR_NAMES);
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
            if (rules.length > 0 && node[i] == NatScratch.NEW && denied(rules, scratch.originalAddresses[i], scratch.originalPorts[i]))
            {
                drop(batch, i, Error.DENIED_BY_RULE.ordinal());
                failures.record(ERROR_NAMES[Error.DENIED_BY_RULE.ordinal()], context.nowMs,
                    scratch.originalAddresses[i], scratch.originalPorts[i]);
                continue;
            }
            next(batch, i, NEXT);
        }
    }

    /** The first rule that matches the original tuple decides; none matching allows. */
    private static boolean denied(final UserRule[] rules, final long addresses, final long ports)
    {
        final int protocol = FlowKey.protocol(ports);
        for (final UserRule rule : rules)
        {
            if (rule.matches(FlowKey.source(addresses), FlowKey.destination(addresses), protocol, FlowKey.destinationPort(ports)))
            {
                return !rule.allow();
            }
        }
        return false;
    }
}
