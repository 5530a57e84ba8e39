package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.gateway.ArpInputNode;
import dev.wharf.dataplane.gateway.IcmpEchoNode;
import dev.wharf.dataplane.gateway.Ip4InputNode;
import dev.wharf.dataplane.gateway.Ip4LocalNode;
import dev.wharf.dataplane.gateway.TcpResetNode;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.l2.EthernetInputNode;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.l2.L2FloodNode;
import dev.wharf.dataplane.l2.L2ForwardNode;
import dev.wharf.dataplane.l2.L2LearnNode;
import dev.wharf.dataplane.l2.PortSecurityNode;
import dev.wharf.dataplane.l3.IcmpErrorNode;
import dev.wharf.dataplane.l3.Ip4ArpNode;
import dev.wharf.dataplane.l3.Ip4ForwardNode;
import dev.wharf.dataplane.l3.Ip4IsolationNode;
import dev.wharf.dataplane.l3.Ip4LookupNode;
import dev.wharf.dataplane.l3.Ip4RewriteNode;

import java.util.List;

/**
 * The core node graph every worker runs (DESIGN.md, "The data path"), in topological order, with the
 * positions of the {@link FeatureArc}s, and the features the daemon loaded composed onto them:
 * <pre>
 * [device-input] > ethernet-input > l2-learn > l2-forward > [l2-flood-in] > l2-flood > arp-input > ip4-input
 *   > [ip4-prerouting] > ip4-lookup > ip4-isolation > ip4-forward
 *   > [ip4-local-in] > ip4-local > icmp-echo > tcp-reset
 *   > [ip4-postrouting] > ip4-rewrite > ip4-arp > icmp-error > [l2-output] > interface-output > error-drop
 * </pre>
 * An arc with no feature on it is no node at all: its feeders send straight to its end node.
 */
public final class Pipeline
{
    private Pipeline()
    {
    }

    /** The core graph and nothing else (no NAT): bridging, the gateways, routing and isolation. */
    public static NodeGraph standard()
    {
        return compose(0, List.of());
    }

    /** The graph the bridge benchmarks and tests run: the standard one (bridged frames never reach the routing nodes). */
    public static NodeGraph bridge()
    {
        return standard();
    }

    /** Worker {@code worker}'s graph: the core with {@code features}' nodes on their arcs. */
    public static NodeGraph compose(final int worker, final List<? extends GraphFeature> features)
    {
        return core().features(worker, features).compose();
    }

    /** Makes each worker's graph from the core and {@code features}, for {@link DataplaneConfiguration#withPipelines}. */
    public static DataplaneConfiguration.PipelineFactory withFeatures(final List<? extends GraphFeature> features)
    {
        final List<? extends GraphFeature> loaded = List.copyOf(features);
        return worker -> compose(worker, loaded);
    }

    /** The core nodes and arcs, ready for features to be added; every node comes after each node that can send to it. */
    public static GraphComposer core()
    {
        return new GraphComposer()
            .arc(FeatureArc.DEVICE_INPUT)
            .node(new EthernetInputNode())
            .node(new PortSecurityNode())
            .node(new L2LearnNode())
            .arc(FeatureArc.L2_FORWARD_IN)
            .node(new L2ForwardNode())
            .arc(FeatureArc.L2_FLOOD_IN)
            .node(new L2FloodNode())
            .node(new ArpInputNode())
            .node(new Ip4InputNode())
            .arc(FeatureArc.IP4_PREROUTING)
            .node(new Ip4LookupNode())
            .node(new Ip4IsolationNode())
            .node(new Ip4ForwardNode())
            .arc(FeatureArc.IP4_LOCAL)
            .node(new Ip4LocalNode())
            .node(new IcmpEchoNode())
            .arc(FeatureArc.IP4_POSTROUTING)
            .node(new Ip4RewriteNode())
            .node(new Ip4ArpNode())
            // after the arcs whose features refuse with a reset (ip4-nat-in, the user rules on both paths)
            .node(new TcpResetNode())
            .node(new IcmpErrorNode())
            .arc(FeatureArc.L2_OUTPUT)
            .node(new InterfaceOutputNode())
            .node(new DropNode());
    }
}
