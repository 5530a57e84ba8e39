package dev.wharf.control.state;

/**
 * The uplink feature's section of the {@link DesiredState}. Immutable; any thread.
 *
 * @param uplink the uplink, or null when none is set.
 */
public record UplinkSection(UplinkSpec uplink)
{
    public static final UplinkSection EMPTY = new UplinkSection(null);
    public static final SectionKey<UplinkSection> KEY = new SectionKey<>("uplink", EMPTY, new UplinkSectionCodec());

    /** The uplink of {@code state}, or null when none is set. */
    public static UplinkSpec of(final DesiredState state)
    {
        return state.get(KEY).uplink();
    }

    /** {@code state} with {@code uplink} as its uplink; null removes it. */
    public static DesiredState in(final DesiredState state, final UplinkSpec uplink)
    {
        return state.with(KEY, new UplinkSection(uplink));
    }
}
