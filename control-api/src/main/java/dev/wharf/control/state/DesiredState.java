package dev.wharf.control.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the user asked the daemon for, apart from how the dataplane realises it, as one
 * section per feature ({@link NetworkSection}, {@link UplinkSection}, {@link NatSection}, and
 * whatever a feature added later registers under its own {@link SectionKey}). The state knows no
 * feature: a section it does not hold reads as that section's empty value, and a state holding an
 * empty section equals one without it.
 *
 * <p>Immutable: every change makes a new state, so the control plane swaps the state only after the
 * dataplane took the change, and the state store can persist one value atomically and replay it in
 * dependency order. Any thread.
 */
public final class DesiredState
{
    public static final DesiredState EMPTY = new DesiredState(Map.of());

    private final Map<SectionKey<?>, Object> sections;

    private DesiredState(final Map<SectionKey<?>, Object> sections)
    {
        this.sections = sections;
    }

    /** The section {@code key} names; its empty value when this state holds none. */
    @SuppressWarnings("unchecked")
    public <T> T get(final SectionKey<T> key)
    {
        final Object section = sections.get(key);
        return section == null ? key.empty() : (T)section;
    }

    /** This state with {@code section} as the section {@code key} names. */
    public <T> DesiredState with(final SectionKey<T> key, final T section)
    {
        final Map<SectionKey<?>, Object> copy = new LinkedHashMap<>(sections);
        if (section.equals(key.empty()))
        {
            copy.remove(key);
        }
        else
        {
            copy.put(key, section);
        }
        return new DesiredState(Collections.unmodifiableMap(copy));
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof DesiredState other && sections.equals(other.sections);
    }

    @Override
    public int hashCode()
    {
        return sections.hashCode();
    }

    @Override
    public String toString()
    {
        return "DesiredState" + sections;
    }
}
