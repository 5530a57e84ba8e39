package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.gateway.ArpInputNode;
import dev.wharf.dataplane.gateway.IcmpEchoNode;
import dev.wharf.dataplane.gateway.Ip4InputNode;
import dev.wharf.dataplane.graph.DropNode;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.l2.EthernetInputNode;
import dev.wharf.dataplane.l2.InterfaceOutputNode;
import dev.wharf.dataplane.l2.L2FloodNode;
import dev.wharf.dataplane.l2.L2ForwardNode;
import dev.wharf.dataplane.l2.L2LearnNode;

import java.util.List;

/** The node graph every worker runs, in topological order (DESIGN.md, "The data path"). */
public final class Pipeline
{
    private Pipeline()
    {
    }

    public static NodeGraph bridge()
    {
        final List<Node> nodes = List.of(
            new EthernetInputNode(),
            new L2LearnNode(),
            new L2ForwardNode(),
            new L2FloodNode(),
            new ArpInputNode(),
            new Ip4InputNode(),
            new IcmpEchoNode(),
            new InterfaceOutputNode(),
            new DropNode());
        return new NodeGraph(nodes);
    }
}
