package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.worker.Pipeline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeGraphTest
{
    /** Sends packet i to next (i % nexts), or drops it under error (i % errors) when told to, and records what it saw. */
    private static final class ToyNode extends Node
    {
        final List<Integer> seen = new ArrayList<>();
        private final int nexts;
        private final boolean dropOdd;

        ToyNode(final String name, final String[] nextNames, final String[] errorNames, final boolean dropOdd)
        {
            super(name, nextNames, errorNames);
            this.nexts = nextNames.length;
            this.dropOdd = dropOdd;
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                final int i = packets[k];
                seen.add(i);
                if (dropOdd && (i & 1) == 1)
                {
                    drop(batch, i, (i >> 1) % 2);
                }
                else if (nexts == 0)
                {
                    done(batch, i);
                }
                else
                {
                    next(batch, i, i % nexts);
                }
            }
        }
    }

    private static ToyNode node(final String name, final String... nexts)
    {
        return new ToyNode(name, nexts, new String[0], false);
    }

    private static PacketBatch batchOf(final int packets)
    {
        final PacketBatch batch = new PacketBatch();
        for (int i = 0; i < packets; i++)
        {
            batch.add(0, 64, 0, 0);
        }
        return batch;
    }

    /** A node with one drop reason and one event, declared as such. */
    private static final class CountingNode extends Node
    {
        CountingNode(final String... events)
        {
            super("counting", new String[0], new String[]{"malformed", "answered"}, events);
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                done(batch, packets[k]);
            }
        }
    }

    @Test
    void theLayoutKeepsEachCountersDeclaredKindNodeAndReason()
    {
        final NodeGraph graph = new NodeGraph(List.of(new CountingNode("answered"), new DropNode()));
        final CounterLayout layout = graph.layout();
        final int malformed = layout.errorId("counting.malformed");
        final int answered = layout.errorId("counting.answered");

        assertTrue(layout.isDrop(malformed));
        assertFalse(layout.isDrop(answered), "declared an event");
        assertEquals("counting", layout.errorNode(answered));
        assertEquals("answered", layout.errorReason(answered));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CountingNode("replied"));
        assertEquals("counting declares event replied that is not one of its errors", e.getMessage());
    }

    @Test
    void duplicateNodeNamesAreRejected()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new NodeGraph(List.of(node("a", "b"), node("b"), node("b"), new DropNode())));
        assertTrue(e.getMessage().contains("duplicate node name b"), e.getMessage());
    }

    @Test
    void aGraphWithoutTheDropNodeIsRejected()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NodeGraph(List.of(node("a"))));
        assertTrue(e.getMessage().contains(NodeGraph.DROP_NODE), e.getMessage());
    }

    @Test
    void anUnknownNextNodeIsRejectedByName()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new NodeGraph(List.of(node("a", "nowhere"), new DropNode())));
        assertEquals("a names unknown next node nowhere", e.getMessage());
    }

    @Test
    void aBackwardEdgeOrASelfLoopBreaksTopologicalOrder()
    {
        final IllegalArgumentException back = assertThrows(IllegalArgumentException.class,
            () -> new NodeGraph(List.of(node("a", "b"), node("b", "a"), new DropNode())));
        assertEquals("b -> a breaks topological order", back.getMessage());
        final IllegalArgumentException self = assertThrows(IllegalArgumentException.class,
            () -> new NodeGraph(List.of(node("a", "a"), new DropNode())));
        assertEquals("a -> a breaks topological order", self.getMessage());
    }

    @Test
    void aNodeThatCanDropPlacedAfterTheDropNodeBreaksTopologicalOrder()
    {
        // its drops would wait in the drop node's queue until the next batch, with stale packet indices
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new NodeGraph(List.of(node("a", "b"), new DropNode(), new ToyNode("b", new String[0], new String[]{"bad"}, true))));
        assertTrue(e.getMessage().contains("b -> " + NodeGraph.DROP_NODE), e.getMessage());
    }

    @Test
    void theBridgePipelineIsAValidGraphWithEveryNodeNamed()
    {
        final NodeGraph graph = Pipeline.bridge();

        assertEquals(18, graph.nodeCount());
        assertEquals(0, graph.nodeId("ethernet-input"));
        assertEquals(graph.nodeCount() - 1, graph.nodeId(NodeGraph.DROP_NODE));
        assertThrows(IllegalArgumentException.class, () -> graph.nodeId("no-such-node"));
        for (int n = 0; n < graph.nodeCount(); n++)
        {
            assertEquals(graph.node(n).name(), graph.layout().nodeName(n));
            assertEquals(n, graph.node(n).id());
        }
    }

    @Test
    void errorCountersAreNamedNodeDotErrorAndFoundById()
    {
        final NodeGraph graph = new NodeGraph(List.of(
            new ToyNode("first", new String[]{"second"}, new String[]{"alpha", "beta"}, false),
            new ToyNode("second", new String[0], new String[]{"gamma"}, false),
            new DropNode()));
        final CounterLayout layout = graph.layout();

        assertEquals(3, layout.errorCount());
        assertEquals("first.alpha", layout.errorName(0));
        assertEquals("first.beta", layout.errorName(1));
        assertEquals("second.gamma", layout.errorName(2));
        assertEquals(2, layout.errorId("second.gamma"));
        assertEquals(-1, layout.errorId("second.alpha"));
        assertEquals(-1, layout.errorId("gamma"));
        assertEquals(layout.errorCount(), layout.nodeCounter(0), "node counters follow the errors");
        assertTrue(layout.portCounter(0, 0) >= layout.nodeCounter(layout.nodeCount() - 1) + 1, "port counters follow the nodes");
        assertEquals(layout.portCounter(1, 0) - layout.portCounter(0, 0), CounterLayout.PORT_STRIDE);
        assertEquals(layout.portCounter(CounterLayout.MAX_PORTS - 1, CounterLayout.PORT_STRIDE - 1) + 1, layout.size());
    }

    @Test
    void eachPacketVisitsItsNodesInOrderAndCountersCountVisitsAndDropReasons()
    {
        final ToyNode first = new ToyNode("first", new String[]{"left", "right"}, new String[0], false);
        final ToyNode left = new ToyNode("left", new String[]{"sink"}, new String[]{"odd-one", "odd-three"}, true);
        final ToyNode right = node("right", "sink");
        final ToyNode sink = node("sink");
        final NodeGraph graph = new NodeGraph(List.of(first, left, right, sink, new DropNode()));
        final WorkerContext context = new WorkerContext(0, graph.layout());
        final PacketBatch batch = batchOf(8); // even packets go left, odd packets right; left drops none (all even)

        graph.run(batch, context);

        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), first.seen);
        assertEquals(List.of(0, 2, 4, 6), left.seen);
        assertEquals(List.of(1, 3, 5, 7), right.seen);
        assertEquals(List.of(0, 2, 4, 6, 1, 3, 5, 7), sink.seen, "sink runs once, on everything that reached it");
        final CounterLayout layout = graph.layout();
        assertEquals(8, context.counters.get(layout.nodeCounter(graph.nodeId("first"))));
        assertEquals(4, context.counters.get(layout.nodeCounter(graph.nodeId("left"))));
        assertEquals(8, context.counters.get(layout.nodeCounter(graph.nodeId("sink"))));
        assertEquals(0, context.counters.get(layout.nodeCounter(graph.nodeId(NodeGraph.DROP_NODE))));
        for (int i = 0; i < 8; i++)
        {
            assertEquals(NodeGraph.DONE, batch.next[i]);
        }
    }

    @Test
    void dropsAreCountedUnderTheirReasonAndAgainstTheIngressPort()
    {
        final ToyNode dropper = new ToyNode("dropper", new String[]{"sink"}, new String[]{"one", "three"}, true);
        final ToyNode sink = node("sink");
        final NodeGraph graph = new NodeGraph(List.of(dropper, sink, new DropNode()));
        final WorkerContext context = new WorkerContext(0, graph.layout());
        final PacketBatch batch = new PacketBatch();
        for (int i = 0; i < 8; i++)
        {
            batch.add(0, 64, 0, 5);
        }

        graph.run(batch, context);

        // odd packets 1, 5 -> error 0 ("one"); 3, 7 -> error 1 ("three")
        assertEquals(2, context.counters.get(graph.layout().errorId("dropper.one")));
        assertEquals(2, context.counters.get(graph.layout().errorId("dropper.three")));
        assertEquals(4, context.counters.get(graph.layout().portCounter(5, CounterLayout.PORT_RX_DROPS)));
        assertEquals(List.of(0, 2, 4, 6), sink.seen);
        assertEquals(4, context.counters.get(graph.layout().nodeCounter(graph.nodeId(NodeGraph.DROP_NODE))));
    }

    @Test
    void runningManyBatchesLeavesNothingPendingBetweenThem()
    {
        final ToyNode dropper = new ToyNode("dropper", new String[]{"sink"}, new String[]{"one", "three"}, true);
        final ToyNode sink = node("sink");
        final NodeGraph graph = new NodeGraph(List.of(dropper, sink, new DropNode()));
        final WorkerContext context = new WorkerContext(0, graph.layout());

        for (int round = 0; round < 1_000; round++)
        {
            graph.run(batchOf(PacketBatch.CAPACITY), context);
        }
        graph.run(new PacketBatch(), context);

        final CounterLayout layout = graph.layout();
        assertEquals(1_000L * PacketBatch.CAPACITY, context.counters.get(layout.nodeCounter(0)));
        assertEquals(500L * PacketBatch.CAPACITY, context.counters.get(layout.nodeCounter(graph.nodeId("sink"))));
        assertEquals(500L * PacketBatch.CAPACITY, context.counters.get(layout.nodeCounter(graph.nodeId(NodeGraph.DROP_NODE))));
        assertEquals(500L * PacketBatch.CAPACITY, context.counters.get(layout.errorId("dropper.one")) + context.counters.get(layout.errorId("dropper.three")));
    }

    @Test
    void aTracerSeesEveryNodeVisitBeforeAndAfter()
    {
        final NodeGraph graph = new NodeGraph(List.of(node("a", "b"), node("b"), new DropNode()));
        final List<String> events = new ArrayList<>();
        graph.tracer(new PacketTracer()
        {
            public void beforeNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
            {
                events.add("before " + node.name() + " " + count);
            }

            public void afterNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
            {
                events.add("after " + node.name() + " " + count);
            }
        });

        graph.run(batchOf(3), new WorkerContext(0, graph.layout()));

        assertArrayEquals(new String[]{"before a 3", "after a 3", "before b 3", "after b 3"}, events.toArray());
    }
}
