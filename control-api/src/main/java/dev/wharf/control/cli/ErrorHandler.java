package dev.wharf.control.cli;

import dev.wharf.control.client.HostPort;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns every failure of a command into exactly one line on stderr, {@code wharf: <what went wrong>},
 * and an exit code from {@link ExitCodes}. Runs on the CLI's main thread.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler
{
    @Override
    public int handleParseException(final CommandLine.ParameterException e, final String[] args)
    {
        final CommandLine command = e.getCommandLine();
        fail(command, oneLine(e.getMessage()) + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(final Exception e, final CommandLine command, final CommandLine.ParseResult parseResult)
    {
        if (e instanceof StatusRuntimeException status)
        {
            return onStatus(status.getStatus(), command);
        }
        if (e instanceof CliFailure failure)
        {
            fail(command, oneLine(failure.getMessage()));
            return failure.exitCode();
        }
        fail(command, oneLine(String.valueOf(e)));
        return ExitCodes.FAILURE;
    }

    private static int onStatus(final Status status, final CommandLine command)
    {
        final String description = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        switch (status.getCode())
        {
            case INVALID_ARGUMENT:
                fail(command, description);
                return ExitCodes.USAGE;
            case NOT_FOUND:
                fail(command, description + listingHint(description));
                return ExitCodes.NOT_FOUND;
            case ALREADY_EXISTS:
                fail(command, description);
                return ExitCodes.ALREADY_EXISTS;
            case FAILED_PRECONDITION:
                fail(command, description);
                return ExitCodes.PRECONDITION;
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
                final HostPort host = WharfMain.host(command);
                if (host != null)
                {
                    final String why = status.getCode() == Status.Code.DEADLINE_EXCEEDED ? "no answer in time" : rootCause(status);
                    fail(command, "daemon unreachable at " + host + " (" + why + "); check that `wharf daemon --listen` runs there and that " +
                        "--tls-ca, --tls-cert and --tls-key match its TLS settings");
                    return ExitCodes.UNREACHABLE;
                }
                final Path socket = WharfMain.socket(command);
                final String why = status.getCode() == Status.Code.DEADLINE_EXCEEDED ? "no answer in time" :
                    Files.exists(socket) ? rootCause(status) : "no socket file";
                fail(command, "daemon unreachable (" + why + "); is `wharf daemon` running? socket " + socket);
                return ExitCodes.UNREACHABLE;
            default:
                fail(command, status.getCode() + ": " + description);
                return ExitCodes.FAILURE;
        }
    }

    /**
     * What to run to see the names that do exist, for a NOT_FOUND that names a network or port and
     * says nothing more. The API's messages name the object but not CLI verbs (grpcurl users read
     * them too), so the CLI adds the verb here.
     */
    static String listingHint(final String description)
    {
        if (description.contains("("))
        {
            return "";
        }
        if (description.startsWith("network "))
        {
            return " (see 'wharf network ls')";
        }
        if (description.startsWith("port ") && description.contains(" is not published"))
        {
            return " (see 'wharf publish ls')";
        }
        if (description.startsWith("port "))
        {
            return " (see 'wharf port ls')";
        }
        if (description.startsWith("rule "))
        {
            return " (see 'wharf rule ls')";
        }
        if (description.startsWith("networks ") && description.endsWith("not connected"))
        {
            return " (see 'wharf network ls')";
        }
        return "";
    }

    /** The innermost cause that says something, e.g. "connect(..) failed: Connection refused". */
    private static String rootCause(final Status status)
    {
        String message = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause() == cause ? null : cause.getCause())
        {
            if (cause.getMessage() != null && !cause.getMessage().isBlank())
            {
                message = cause.getMessage();
            }
        }
        return message;
    }

    private static void fail(final CommandLine command, final String message)
    {
        final PrintWriter err = command.getErr();
        err.println("wharf: " + oneLine(message));
        err.flush();
    }

    static String oneLine(final String message)
    {
        return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
