package dev.wharf.control.cli;

/** A failure a command found by itself (not from the daemon), with the exit code it means. */
final class CliFailure extends RuntimeException
{
    private final int exitCode;

    CliFailure(final int exitCode, final String message)
    {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode()
    {
        return exitCode;
    }
}
