package dev.wharf.control.state;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.nio.file.Path;

/**
 * Parses the text forms a state file keeps (addresses, subnets, MACs, port kinds) for the
 * {@link SectionCodec}s, and reports a bad one as a {@link StateFileException} that names the file
 * and where in it. Stateless apart from the file's path; called while loading.
 */
public final class PersistedValues
{
    private final Path file;

    PersistedValues(final Path file)
    {
        this.file = file;
    }

    /** A failure of this file: {@code where} and what is wrong there. */
    public StateFileException failure(final String message)
    {
        return new StateFileException(file, message);
    }

    public PortKind kind(final String label, final String where) throws StateFileException
    {
        for (final PortKind kind : PortKind.values())
        {
            if (kind.label().equals(label))
            {
                return kind;
            }
        }
        throw failure(where + " has unknown kind \"" + label + "\"");
    }

    public Cidr cidr(final String text, final String where) throws StateFileException
    {
        final int slash = text.indexOf('/');
        try
        {
            if (slash < 0)
            {
                throw new IllegalArgumentException("no prefix length");
            }
            return new Cidr(Ipv4Address.parse(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
        }
        catch (final IllegalArgumentException e)
        {
            throw failure(where + " has a bad subnet \"" + text + "\": " + e.getMessage());
        }
    }

    public int ip(final String text, final String where) throws StateFileException
    {
        try
        {
            return Ipv4Address.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw failure(where + ": " + e.getMessage());
        }
    }

    public long mac(final String text, final String where) throws StateFileException
    {
        try
        {
            return MacAddress.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw failure(where + ": " + e.getMessage());
        }
    }
}
