package dev.wharf.control.state;

import java.nio.file.Path;

/** The state file cannot be read or written; the message names the file and the problem. */
public final class StateFileException extends Exception
{
    public StateFileException(final Path file, final String problem)
    {
        super(file + ": " + problem);
    }

    public StateFileException(final Path file, final String problem, final Throwable cause)
    {
        super(file + ": " + problem, cause);
    }
}
