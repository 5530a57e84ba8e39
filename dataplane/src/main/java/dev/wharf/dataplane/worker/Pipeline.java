package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.gateway.ArpInputNode;
import dev.wharf.dataplane.gateway.IcmpEchoNode;
import dev.wharf.dataplane.gateway.Ip4InputNode;
import dev.wharf.dataplane.gateway.Ip4LocalNode;
import dev.wharf.dataplane.gateway.TcpResetNode;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.PassThroughNode;
import dev.wharf.dataplane.l2.EthernetInputNode;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.l2.L2FloodNode;
import dev.wharf.dataplane.l2.L2ForwardNode;
import dev.wharf.dataplane.l2.L2LearnNode;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.l3.Ip4ArpNode;
import dev.wharf.dataplane.l3.Ip4LookupNode;
import dev.wharf.dataplane.l3.Ip4RewriteNode;

import java.util.List;

/**
 * The node graph every worker runs, in topological order (DESIGN.md, "The data path").
 *
 * <p>Routed IPv4 passes two hooks that feature modules fill (VPP's feature arcs, netfilter's
 * PREROUTING and POSTROUTING): {@value #IP4_NAT_IN} between ip4-input and ip4-lookup, where
 * connection tracking finds a packet's flow and translates its destination, and
 * {@value #IP4_NAT_OUT} between ip4-lookup and ip4-rewrite, where a new flow is checked, created
 * and its source translated. Without NAT both are pass-through nodes.
 */
public final class Pipeline
{
    public static final String IP4_NAT_IN = "ip4-nat-in";
    public static final String IP4_NAT_OUT = "ip4-nat-out";
    public static final String IP4_LOOKUP = "ip4-lookup";
    public static final String IP4_REWRITE = "ip4-rewrite";

    private Pipeline()
    {
    }

    /** The graph without NAT: pass-through nodes hold the two hook positions. */
    public static NodeGraph standard()
    {
        return routed(new PassThroughNode(IP4_NAT_IN, IP4_LOOKUP), new PassThroughNode(IP4_NAT_OUT, IP4_REWRITE));
    }

    /**
     * The graph with the NAT module's two nodes, named {@value #IP4_NAT_IN} (next: {@value #IP4_LOOKUP})
     * and {@value #IP4_NAT_OUT} (next: {@value #IP4_REWRITE}), in place of the pass-through ones. They may
     * also name any node that comes after them in the order below (icmp-error, interface-output, ...).
     */
    public static NodeGraph routed(final Node natIn, final Node natOut)
    {
        if (!IP4_NAT_IN.equals(natIn.name()) || !IP4_NAT_OUT.equals(natOut.name()))
        {
            throw new IllegalArgumentException("NAT hook nodes must be named " + IP4_NAT_IN + " and " + IP4_NAT_OUT +
                ", not " + natIn.name() + " and " + natOut.name());
        }
        // topological order: every node comes after each node that can send to it (NodeGraph checks)
        final List<Node> nodes = List.of(
            new EthernetInputNode(),
            new L2LearnNode(),
            new L2ForwardNode(),
            new L2FloodNode(),
            new ArpInputNode(),
            new Ip4InputNode(),
            natIn,
            new Ip4LookupNode(),
            new Ip4LocalNode(),
            new IcmpEchoNode(),
            new TcpResetNode(),
            natOut,
            new Ip4RewriteNode(),
            new Ip4ArpNode(),
            new IcmpErrorNode(),
            new InterfaceOutputNode(),
            new DropNode());
        return new NodeGraph(nodes);
    }

    /** The graph the bridge benchmarks and tests run: the standard one (bridged frames never reach the routing nodes). */
    public static NodeGraph bridge()
    {
        return standard();
    }
}
