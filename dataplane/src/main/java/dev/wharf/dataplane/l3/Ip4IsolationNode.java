package dev.wharf.dataplane.l3;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;

/**
 * ip4-isolation: whether a routed packet may go from its ingress network to the network ip4-lookup
 * chose, as Docker's bridge driver decides with its DOCKER-ISOLATION chains:
 * an {@code internal} network and the uplink never exchange packets; the outside reaches containers
 * only through published ports ({@link PacketBatch#FLAG_PUBLISHED}); two container networks talk only
 * when the user connected them (or through a published port); a packet routed back into its own
 * network (hairpin) passes only when the network allows inter-container traffic or it is a published
 * port's.
 *
 * <p>A packet of a flow whose policy was checked when it began ({@link PacketBatch#FLAG_ESTABLISHED},
 * set by connection tracking) is not checked again: a reply from the outside to a masqueraded
 * connection is no unsolicited inbound packet. Isolation comes before ip4-forward's TTL check, so a
 * refused packet earns no time-exceeded message (Linux checks TTL first, and thereby tells a scanner
 * what its FORWARD rules would hide).
 */
public final class Ip4IsolationNode extends Node
{
    public static final String NAME = CoreNodes.IP4_ISOLATION;

    private static final int NEXT_FORWARD = 0;

    public enum Error
    {
        INTERNAL_NETWORK,
        UNSOLICITED_INBOUND,
        NETWORKS_ISOLATED,
        ICC_DENIED,
        NO_NETWORK
    }

    public Ip4IsolationNode()
    {
        super(NAME, new String[]{CoreNodes.IP4_FORWARD}, names(Error.values()));
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final DataplaneSnapshot snapshot = context.snapshot;
        final int[] flags = batch.flags;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            if ((flags[i] & PacketBatch.FLAG_ESTABLISHED) != 0)
            {
                next(batch, i, NEXT_FORWARD);
                continue;
            }
            final NetworkState in = snapshot.network(batch.network[i]);
            final NetworkState out = snapshot.network(batch.outNetwork[i]);
            final int refusal = in == null || out == null ? Error.NO_NETWORK.ordinal() : refusal(in, out, flags[i]);
            if (refusal >= 0)
            {
                drop(batch, i, refusal);
                continue;
            }
            next(batch, i, NEXT_FORWARD);
        }
    }

    /** @return the error ordinal isolation drops the packet under, or -1 when it may pass. */
    private static int refusal(final NetworkState in, final NetworkState out, final int flags)
    {
        final boolean published = (flags & PacketBatch.FLAG_PUBLISHED) != 0;
        if ((in.policy.internal() && out.uplink) || (out.policy.internal() && in.uplink))
        {
            return Error.INTERNAL_NETWORK.ordinal();
        }
        if (in.uplink)
        {
            return published ? -1 : Error.UNSOLICITED_INBOUND.ordinal();
        }
        if (out.uplink || published)
        {
            return -1;
        }
        if (in.index == out.index)
        {
            return in.policy.icc() ? -1 : Error.ICC_DENIED.ordinal();
        }
        return in.isConnectedTo(out.index) ? -1 : Error.NETWORKS_ISOLATED.ordinal();
    }
}
