package dev.wharf.nat;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.graph.CoreNodes;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.protocol.EthernetFlyweight;
import dev.wharf.dataplane.protocol.IcmpFlyweight;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.protocol.TcpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * l2-user-rules: the user rules on the bridged path, on the {@value FeatureArc#L2_FORWARD_IN} arc. Frames
 * between two ports of one network never reach the router, so ip4-user-rules never sees them; without this
 * node {@code wharf rule add deny --src 10.10.0.2 --dst 10.10.0.3} would not stop c1 from reaching c2 on
 * their own network (Docker's DOCKER-USER does not either; users expect a deny to deny).
 *
 * <p>Only the rules that could match a packet between two addresses of the frame's network are checked
 * (both prefixes overlap its subnet), in their order, so the first of them that matches decides as it
 * would on the routed path. A network no rule could concern costs one array read per frame, and a
 * switch without rules one volatile read per batch: the rules are sorted by network when the rules or
 * the configuration change (once, on the worker, the only allocation), never per packet.
 *
 * <p>The bridged path tracks no connections, so "new connections" are told apart from the frame alone:
 * a TCP segment with SYN and without ACK, every UDP datagram, an ICMP query (echo, timestamp, address
 * mask or information request; replies and errors pass), and every packet of any other protocol. A
 * non-first fragment carries no ports and passes. Frames to the gateway's MAC (routed: ip4-user-rules
 * checks them), broadcast and multicast (ARP, DHCP) and anything but well-formed IPv4 pass unchecked,
 * as a bridge passes them. A deny drops the frame (DENIED_BY_RULE); a reject answers it through
 * tcp-reset (a reset from the address the segment was sent to: "connection refused") or icmp-error
 * (port unreachable for UDP, "administratively prohibited" for anything else), sent back out of the
 * ingress port, and counts REJECTED_BY_RULE, an event.
 *
 * <p>One instance per worker, run on that worker's thread.
 */
final class BridgedRulesNode extends Node
{
    public static final String NAME = "l2-user-rules";

    private static final int NEXT = 0;
    private static final int NEXT_TCP_RESET = 1;
    private static final int NEXT_ICMP_ERROR = 2;

    public enum Error
    {
        DENIED_BY_RULE,
        /** Counted, not dropped: the frame became a reset or an ICMP unreachable. */
        REJECTED_BY_RULE
    }

    private static final UserRule[][] NONE = new UserRule[0][];

    private final NatService service;
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    /** The rules {@link #byNetwork} was sorted from, and the configuration it was sorted for. */
    private UserRule[] sortedRules;
    private DataplaneSnapshot sortedSnapshot;
    /** By network index: the rules that could match within that network, in order, or null for none. */
    private UserRule[][] byNetwork = NONE;
    private boolean anyNetwork;

    BridgedRulesNode(final NatService service)
    {
        super(NAME, new String[]{FeatureArc.NEXT, CoreNodes.TCP_RESET, CoreNodes.ICMP_ERROR}, names(Error.values()),
            names(Error.REJECTED_BY_RULE));
        this.service = service;
    }

    @Override
    public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
    {
        final UserRule[] rules = service.userRules();
        final DataplaneSnapshot snapshot = context.snapshot;
        if (rules != sortedRules || snapshot != sortedSnapshot)
        {
            sort(rules, snapshot);
        }
        if (!anyNetwork)
        {
            for (int k = 0; k < count; k++)
            {
                next(batch, packets[k], NEXT);
            }
            return;
        }
        final UserRule[][] byNetwork = this.byNetwork;
        for (int k = 0; k < count; k++)
        {
            final int i = packets[k];
            final int network = batch.network[i];
            final UserRule[] candidates = network >= 0 && network < byNetwork.length ? byNetwork[network] : null;
            if (candidates == null || (batch.flags[i] & (PacketBatch.FLAG_BROADCAST | PacketBatch.FLAG_MULTICAST)) != 0 ||
                (batch.flags[i] & PacketBatch.FLAG_IPV4) == 0)
            {
                next(batch, i, NEXT);
                continue;
            }
            final int action = decide(batch, i, snapshot.network(network), candidates);
            if (action == UserRule.DENY)
            {
                drop(batch, i, Error.DENIED_BY_RULE.ordinal());
            }
            else if (action == UserRule.REJECT)
            {
                count(context, Error.REJECTED_BY_RULE.ordinal());
                final int protocol = ip.protocol();
                if (protocol == Ipv4Flyweight.PROTOCOL_TCP)
                {
                    next(batch, i, NEXT_TCP_RESET);
                }
                else
                {
                    batch.icmpError[i] = protocol == Ipv4Flyweight.PROTOCOL_UDP ? UserRulesNode.PORT_UNREACHABLE : UserRulesNode.ADMIN_PROHIBITED;
                    next(batch, i, NEXT_ICMP_ERROR);
                }
            }
            else
            {
                next(batch, i, NEXT);
            }
        }
    }

    /**
     * The action of the first candidate rule that matches frame {@code i} when it starts something, else
     * {@link UserRule#NO_MATCH}; leaves {@link #ip} on the frame's IPv4 header and, for a TCP segment,
     * sets the batch's L4 offset, which tcp-reset reads (ip4-input sets it on the routed path).
     */
    private int decide(final PacketBatch batch, final int i, final NetworkState network, final UserRule[] candidates)
    {
        final UnsafeBuffer frame = batch.frame(i);
        if (network == null || network.isRouterMac(MacAddress.read(frame, EthernetFlyweight.DESTINATION_OFFSET)))
        {
            return UserRule.NO_MATCH;
        }
        final int l3 = batch.l3Offset[i];
        final int length = batch.length[i];
        if (length < l3 + Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return UserRule.NO_MATCH;
        }
        ip.wrap(frame, l3);
        final int headerLength = ip.headerLength();
        final int totalLength = ip.totalLength();
        if (ip.version() != 4 || headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || totalLength < headerLength ||
            totalLength > length - l3 || ip.fragmentOffset() != 0)
        {
            return UserRule.NO_MATCH;
        }
        final int l4 = l3 + headerLength;
        final int segment = totalLength - headerLength;
        final int protocol = ip.protocol();
        int port = 0;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP)
        {
            if (segment < TcpFlyweight.MIN_HEADER_LENGTH)
            {
                return UserRule.NO_MATCH;
            }
            final int flags = frame.getByte(l4 + TcpFlyweight.FLAGS_OFFSET) & 0xFF;
            if ((flags & (TcpFlyweight.SYN | TcpFlyweight.ACK | TcpFlyweight.RST)) != TcpFlyweight.SYN)
            {
                return UserRule.NO_MATCH;
            }
            port = (frame.getByte(l4 + TcpFlyweight.DESTINATION_PORT_OFFSET) & 0xFF) << 8 |
                frame.getByte(l4 + TcpFlyweight.DESTINATION_PORT_OFFSET + 1) & 0xFF;
            batch.l4Offset[i] = l4;
        }
        else if (protocol == Ipv4Flyweight.PROTOCOL_UDP)
        {
            if (segment < 8)
            {
                return UserRule.NO_MATCH;
            }
            port = (frame.getByte(l4 + 2) & 0xFF) << 8 | frame.getByte(l4 + 3) & 0xFF;
        }
        else if (protocol == Ipv4Flyweight.PROTOCOL_ICMP)
        {
            if (segment < 1 || !isQuery(frame.getByte(l4) & 0xFF))
            {
                return UserRule.NO_MATCH;
            }
        }
        return UserRule.decide(candidates, ip.source(), ip.destination(), protocol, port);
    }

    /** ICMP messages that ask for an answer (RFC 792, RFC 950): the ones that start an exchange. */
    private static boolean isQuery(final int type)
    {
        return type == IcmpFlyweight.TYPE_ECHO_REQUEST || type == 13 || type == 15 || type == 17;
    }

    /** Sorts the rules by the networks they could concern; on a change of rules or configuration only. */
    private void sort(final UserRule[] rules, final DataplaneSnapshot snapshot)
    {
        sortedRules = rules;
        sortedSnapshot = snapshot;
        anyNetwork = false;
        if (rules.length == 0 || snapshot == null)
        {
            byNetwork = NONE;
            return;
        }
        final NetworkState[] networks = snapshot.networksCopy();
        final UserRule[][] sorted = new UserRule[networks.length][];
        final List<UserRule> within = new ArrayList<>();
        for (int n = 0; n < networks.length; n++)
        {
            final NetworkState network = networks[n];
            if (network == null || network.uplink)
            {
                continue;
            }
            within.clear();
            for (final UserRule rule : rules)
            {
                if (rule.couldMatchWithin(network.subnet, network.prefixLength))
                {
                    within.add(rule);
                }
            }
            if (!within.isEmpty())
            {
                sorted[n] = within.toArray(new UserRule[0]);
                anyNetwork = true;
            }
        }
        byNetwork = sorted;
    }
}
