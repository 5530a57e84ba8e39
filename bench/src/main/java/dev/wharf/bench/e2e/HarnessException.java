package dev.wharf.bench.e2e;

/**
 * A step of the end-to-end harness failed (a command, a topology, a tool's output). The runner
 * catches it per scenario or per measurement, notes it in the report and carries on with the rest.
 */
final class HarnessException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    HarnessException(final String message)
    {
        super(message);
    }

    HarnessException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
