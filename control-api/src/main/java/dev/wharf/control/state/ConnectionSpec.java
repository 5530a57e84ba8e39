package dev.wharf.control.state;

/**
 * Two networks the user connected (routing allowed between them), in the order given. Immutable.
 */
public record ConnectionSpec(String network, String other)
{
    /** True when this connection joins {@code a} and {@code b}, in either order. */
    public boolean joins(final String a, final String b)
    {
        return network.equals(a) && other.equals(b) || network.equals(b) && other.equals(a);
    }

    public boolean involves(final String name)
    {
        return network.equals(name) || other.equals(name);
    }

    @Override
    public String toString()
    {
        return network + " <-> " + other;
    }
}
