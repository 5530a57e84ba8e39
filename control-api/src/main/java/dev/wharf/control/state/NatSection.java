package dev.wharf.control.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The NAT feature's section of the {@link DesiredState}: published ports in the order added, the
 * user rules in the order they are checked, and the id the next rule gets (ids are never reused,
 * across restarts too). Immutable; any thread.
 */
public record NatSection(List<PublishSpec> published, List<RuleSpec> rules, long nextRuleId)
{
    public static final NatSection EMPTY = new NatSection(List.of(), List.of(), 1);
    public static final SectionKey<NatSection> KEY = new SectionKey<>("nat", EMPTY, new NatSectionCodec());

    public NatSection
    {
        published = List.copyOf(published);
        rules = List.copyOf(rules);
    }

    /** The section of {@code state}. */
    public static NatSection of(final DesiredState state)
    {
        return state.get(KEY);
    }

    /** {@code state} with this as its NAT section. */
    public DesiredState in(final DesiredState state)
    {
        return state.with(KEY, this);
    }

    public NatSection withPublished(final PublishSpec publish)
    {
        final List<PublishSpec> copy = new ArrayList<>(published);
        copy.add(publish);
        return new NatSection(copy, rules, nextRuleId);
    }

    public NatSection withoutPublished(final PublishSpec publish)
    {
        final List<PublishSpec> copy = new ArrayList<>(published);
        copy.remove(publish);
        return new NatSection(copy, rules, nextRuleId);
    }

    /** With {@code rule} at {@code index} (0-based; the size appends) and the next id past its own. */
    public NatSection withRule(final int index, final RuleSpec rule)
    {
        final List<RuleSpec> copy = new ArrayList<>(rules);
        copy.add(index, rule);
        return new NatSection(published, copy, Math.max(nextRuleId, rule.id() + 1));
    }

    public NatSection withoutRule(final long id)
    {
        return new NatSection(published, rules.stream().filter(r -> r.id() != id).toList(), nextRuleId);
    }

    /** With the next rule id set (a loaded state keeps the one it was saved with). */
    public NatSection withNextRuleId(final long id)
    {
        return new NatSection(published, rules, Math.max(id, nextRuleId));
    }
}
