package dev.wharf.control.state;

/**
 * Names one feature's section of the {@link DesiredState}: the value the section has while the
 * feature holds nothing, and the {@link SectionCodec} that keeps it in {@code state.json}. Each
 * section has one constant ({@code NetworkSection.KEY}, {@code NatSection.KEY}, ...); keys compare
 * by identity, so two features cannot collide by choosing the same name. Immutable; any thread.
 *
 * @param <T> the section's value: immutable, with value equality.
 */
public final class SectionKey<T>
{
    private final String name;
    private final T empty;
    private final SectionCodec<T> codec;

    /**
     * @param name  for messages and {@code toString}.
     * @param empty the section's value when nothing is configured; a state holding it is equal to one without the section.
     * @param codec how the section is kept in the state file.
     */
    public SectionKey(final String name, final T empty, final SectionCodec<T> codec)
    {
        this.name = name;
        this.empty = empty;
        this.codec = codec;
    }

    public String name()
    {
        return name;
    }

    public T empty()
    {
        return empty;
    }

    public SectionCodec<T> codec()
    {
        return codec;
    }

    @Override
    public String toString()
    {
        return name;
    }
}
