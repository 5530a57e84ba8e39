package dev.wharf.dataplane.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one worker's {@link NodeGraph} from the core's nodes, in order, with the positions of its
 * {@link FeatureArc}s among them, and the nodes features add to those arcs. Within an arc, feature
 * nodes are ordered by their {@link Placement#runsBefore}/{@link Placement#runsAfter} constraints
 * (a constraint naming a node that is not in the graph is ignored: that feature is not loaded), ties
 * kept in the order they were added. An arc's nodes sit just before its end node, the core node that
 * follows the arc's position, so the order stays topological for every edge NodeGraph checks.
 *
 * <p>Next-node names are resolved here: an arc's name becomes its first node (its end node when the
 * arc is empty), {@link FeatureArc#NEXT} the node after the caller on its arc. Setup only; one composer
 * per graph, used by one thread.
 */
public final class GraphComposer
{
    /** The core sequence: nodes, and arc markers (a null node) where arcs sit. */
    private final List<Node> coreNodes = new ArrayList<>();
    private final List<String> coreArcs = new ArrayList<>();
    private final Map<String, List<Placement>> arcs = new HashMap<>();

    /** Appends a core node. */
    public GraphComposer node(final Node node)
    {
        coreNodes.add(node);
        coreArcs.add(null);
        return this;
    }

    /** Marks where arc {@code name} sits: its feature nodes go here, and it ends at the next core node. */
    public GraphComposer arc(final String name)
    {
        if (arcs.containsKey(name))
        {
            throw new IllegalArgumentException("arc " + name + " is defined twice");
        }
        coreNodes.add(null);
        coreArcs.add(name);
        arcs.put(name, new ArrayList<>());
        return this;
    }

    /** Whether arc {@code name} is in this graph: a partial graph (a routing harness, a benchmark) may lack some. */
    public boolean hasArc(final String name)
    {
        return arcs.containsKey(name);
    }

    /** Puts a feature's {@code node} on arc {@code arc}; order it with the returned placement. */
    public Placement feature(final String arc, final Node node)
    {
        final List<Placement> members = arcs.get(arc);
        if (members == null)
        {
            throw new IllegalArgumentException(node.name() + " names unknown arc " + arc + " (arcs: " + arcs.keySet() + ")");
        }
        final Placement placement = new Placement(node);
        members.add(placement);
        return placement;
    }

    /** Adds every feature's nodes for one worker. */
    public GraphComposer features(final int worker, final List<? extends GraphFeature> features)
    {
        for (final GraphFeature feature : features)
        {
            feature.contribute(worker, this);
        }
        return this;
    }

    /** The graph: the core order with each arc's nodes ordered and inserted, every next name resolved. */
    public NodeGraph compose()
    {
        final List<Node> order = new ArrayList<>();
        final Map<String, String> arcEntry = new HashMap<>();
        final Map<Node, String> nextOnArc = new HashMap<>();
        for (int c = 0; c < coreNodes.size(); c++)
        {
            final String arc = coreArcs.get(c);
            if (arc == null)
            {
                order.add(coreNodes.get(c));
                continue;
            }
            if (c + 1 >= coreNodes.size() || coreNodes.get(c + 1) == null)
            {
                throw new IllegalArgumentException("arc " + arc + " must be followed by the core node it ends at");
            }
            final String end = coreNodes.get(c + 1).name();
            final List<Node> sorted = sort(arc, arcs.get(arc));
            arcEntry.put(arc, sorted.isEmpty() ? end : sorted.get(0).name());
            for (int m = 0; m < sorted.size(); m++)
            {
                nextOnArc.put(sorted.get(m), m + 1 < sorted.size() ? sorted.get(m + 1).name() : end);
            }
            order.addAll(sorted);
        }
        for (final Node node : order)
        {
            if (arcs.containsKey(node.name()))
            {
                throw new IllegalArgumentException("node " + node.name() + " is named like an arc");
            }
        }
        return new NodeGraph(order, (node, next) ->
        {
            if (FeatureArc.NEXT.equals(next))
            {
                final String resolved = nextOnArc.get(node);
                if (resolved == null)
                {
                    throw new IllegalArgumentException(node.name() + " names " + FeatureArc.NEXT + " but is on no arc");
                }
                return resolved;
            }
            return arcEntry.getOrDefault(next, next);
        });
    }

    /** Orders an arc's nodes so that every constraint between present nodes holds (Kahn's algorithm, stable). */
    private static List<Node> sort(final String arc, final List<Placement> members)
    {
        final Map<String, Placement> byName = new HashMap<>();
        for (final Placement member : members)
        {
            if (byName.put(member.node.name(), member) != null)
            {
                throw new IllegalArgumentException("two nodes named " + member.node.name() + " on arc " + arc);
            }
        }
        final Map<Placement, Set<Placement>> before = new HashMap<>(); // member -> members that must come before it
        for (final Placement member : members)
        {
            before.computeIfAbsent(member, m -> new LinkedHashSet<>());
            for (final String later : member.runsBefore)
            {
                final Placement other = byName.get(later);
                if (other != null)
                {
                    before.computeIfAbsent(other, m -> new LinkedHashSet<>()).add(member);
                }
            }
            for (final String earlier : member.runsAfter)
            {
                final Placement other = byName.get(earlier);
                if (other != null)
                {
                    before.get(member).add(other);
                }
            }
        }
        final List<Node> sorted = new ArrayList<>();
        final Set<Placement> placed = new LinkedHashSet<>();
        while (placed.size() < members.size())
        {
            Placement ready = null;
            for (final Placement member : members)
            {
                if (!placed.contains(member) && placed.containsAll(before.get(member)))
                {
                    ready = member;
                    break;
                }
            }
            if (ready == null)
            {
                final List<String> stuck = new ArrayList<>();
                for (final Placement member : members)
                {
                    if (!placed.contains(member))
                    {
                        stuck.add(member.node.name());
                    }
                }
                throw new IllegalArgumentException("the order constraints on arc " + arc + " form a cycle among " + stuck);
            }
            placed.add(ready);
            sorted.add(ready.node);
        }
        return sorted;
    }

    /** Where a feature node goes on its arc, relative to other nodes on it (by name). */
    public static final class Placement
    {
        private final Node node;
        private final List<String> runsBefore = new ArrayList<>();
        private final List<String> runsAfter = new ArrayList<>();

        private Placement(final Node node)
        {
            this.node = node;
        }

        public Placement runsBefore(final String... nodeNames)
        {
            runsBefore.addAll(List.of(nodeNames));
            return this;
        }

        public Placement runsAfter(final String... nodeNames)
        {
            runsAfter.addAll(List.of(nodeNames));
            return this;
        }
    }
}
