package dev.wharf.dataplane.graph;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.worker.Pipeline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Feature arcs: where features' nodes land, in which order, and what an arc nobody uses costs (no node). */
class GraphComposerTest
{
    /** Records the packets it sees and sends each to its one next node (or ends them when it has none). */
    private static final class Step extends Node
    {
        final List<String> visits;

        Step(final String name, final List<String> visits, final String... next)
        {
            super(name, next, new String[0]);
            this.visits = visits;
        }

        @Override
        public void process(final PacketBatch batch, final int[] packets, final int count, final WorkerContext context)
        {
            for (int k = 0; k < count; k++)
            {
                visits.add(name());
                if (nextCount() == 0)
                {
                    done(batch, packets[k]);
                }
                else
                {
                    next(batch, packets[k], 0);
                }
            }
        }

        private int nextCount()
        {
            return nextNames().length;
        }
    }

    private final List<String> visits = new ArrayList<>();

    /** input -> [arc "a"] -> middle -> [arc "b"] -> output, drop. */
    private GraphComposer core()
    {
        return new GraphComposer()
            .node(new Step("input", visits, "a"))
            .arc("a")
            .node(new Step("middle", visits, "b"))
            .arc("b")
            .node(new Step("output", visits))
            .node(new DropNode());
    }

    private List<String> run(final NodeGraph graph)
    {
        visits.clear();
        final PacketBatch batch = new PacketBatch();
        batch.add(0, 64, 0, 0);
        graph.run(batch, new WorkerContext(0, graph.layout()));
        return List.copyOf(visits);
    }

    private static List<String> order(final NodeGraph graph)
    {
        final List<String> names = new ArrayList<>();
        for (int n = 0; n < graph.nodeCount(); n++)
        {
            names.add(graph.node(n).name());
        }
        return names;
    }

    @Test
    void anEmptyArcIsNoNodeItsFeedersSendStraightToItsEnd()
    {
        final NodeGraph graph = core().compose();

        assertEquals(List.of("input", "middle", "output", "error-drop"), order(graph));
        assertEquals(List.of("input", "middle", "output"), run(graph));
    }

    @Test
    void featureNodesRunOnTheirArcInTheOrderTheirConstraintsSay()
    {
        final GraphComposer composer = core();
        // added in the "wrong" order: the constraints put them right
        composer.feature("a", new Step("late", visits, FeatureArc.NEXT)).runsAfter("early");
        composer.feature("a", new Step("early", visits, FeatureArc.NEXT));
        composer.feature("b", new Step("only", visits, FeatureArc.NEXT)).runsBefore("absent-feature-node");
        final NodeGraph graph = composer.compose();

        assertEquals(List.of("input", "early", "late", "middle", "only", "output", "error-drop"), order(graph));
        assertEquals(List.of("input", "early", "late", "middle", "only", "output"), run(graph));
    }

    @Test
    void runsBeforeMovesANodeAheadOfOneAddedEarlier()
    {
        final GraphComposer composer = core();
        composer.feature("a", new Step("first-added", visits, FeatureArc.NEXT));
        composer.feature("a", new Step("second-added", visits, FeatureArc.NEXT)).runsBefore("first-added");

        assertEquals(List.of("input", "second-added", "first-added", "middle", "output"), run(composer.compose()));
    }

    @Test
    void contradictoryConstraintsAreRefusedWithTheNodesNamed()
    {
        final GraphComposer composer = core();
        composer.feature("a", new Step("x", visits, FeatureArc.NEXT)).runsBefore("y");
        composer.feature("a", new Step("y", visits, FeatureArc.NEXT)).runsBefore("x");

        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, composer::compose);
        assertTrue(refused.getMessage().contains("cycle") && refused.getMessage().contains("x"), refused.getMessage());
    }

    @Test
    void anUnknownArcANodeNamedLikeAnArcAndNextOffAnyArcAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> core().feature("c", new Step("n", visits, FeatureArc.NEXT)));
        final GraphComposer named = new GraphComposer().arc("a").node(new Step("a", visits)).node(new DropNode());
        assertThrows(IllegalArgumentException.class, named::compose);
        final GraphComposer stray = new GraphComposer().node(new Step("n", visits, FeatureArc.NEXT)).node(new DropNode());
        assertThrows(IllegalArgumentException.class, stray::compose);
    }

    @Test
    void aFeatureNodeMaySendToACoreNodeBehindItsArcButNotBefore()
    {
        final GraphComposer forward = core();
        forward.feature("a", new Step("skip", visits, "output"));
        assertEquals(List.of("input", "skip", "output"), run(forward.compose()));

        final GraphComposer backward = core();
        backward.feature("b", new Step("back", visits, "input"));
        assertThrows(IllegalArgumentException.class, backward::compose);
    }

    @Test
    void theCorePipelineWithoutFeaturesHasNoNodeOnAnyArc()
    {
        final List<String> names = order(Pipeline.standard());

        assertFalse(names.contains(FeatureArc.IP4_PREROUTING) || names.contains(FeatureArc.IP4_POSTROUTING) ||
            names.contains(FeatureArc.IP4_LOCAL) || names.contains(FeatureArc.L2_OUTPUT), names.toString());
        assertEquals(List.of("ethernet-input", "port-security", "l2-learn", "l2-forward", "l2-flood", "arp-input", "ip4-input", "ip4-lookup",
            "ip4-isolation", "ip4-forward", "ip4-local", "icmp-echo", "ip4-rewrite", "ip4-arp", "tcp-reset", "icmp-error",
            "interface-output", "error-drop"), names);
    }
}
