package dev.wharf.control.cli;

import dev.wharf.control.client.WharfClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The {@code wharf} command: the entry point of the shaded jar. Parses the command line with
 * picocli and runs one command on the main thread: {@code daemon} serves the API until stopped,
 * the others call it. Exit codes are listed in {@link ExitCodes}.
 */
@Command(
    name = "wharf",
    mixinStandardHelpOptions = true,
    versionProvider = WharfMain.Version.class,
    description = "A userspace virtual switch for container networking.",
    subcommands = {
        DaemonCommand.class,
        NetworkCommand.class,
        PortCommand.class,
        FdbCommand.class,
        StatsCommand.class,
        TraceCommand.class,
        CaptureCommand.class,
        dev.wharf.control.demo.DemoCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {
        "",
        "Example:",
        "  wharf daemon &",
        "  wharf network create front --subnet 10.10.0.0/24",
        "  wharf port attach front veth-c1 --ip 10.10.0.2",
        "",
        "The API socket is /run/wharf/wharf.sock unless WHARF_SOCKET says otherwise.",
        "Exit codes: 0 ok, 1 usage or invalid argument, 2 not found, 3 already exists,",
        "4 precondition failed, 5 daemon unreachable, 6 other failure."
    })
public final class WharfMain implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    // hidden for now: the socket is rarely moved, and `daemon --socket` documents it
    @Option(names = "--socket", hidden = true, paramLabel = "PATH", description = "The daemon's API socket.")
    Path socket;

    public static void main(final String[] args)
    {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with its one-line error handling; tests set its out and err. */
    public static CommandLine newCommandLine()
    {
        final ErrorHandler errors = new ErrorHandler();
        return new CommandLine(new WharfMain())
            .setParameterExceptionHandler(errors)
            .setExecutionExceptionHandler(errors)
            .setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of " + GroupCommand.verbs(spec));
    }

    /** The socket a command of this command line talks to (the root's --socket, WHARF_SOCKET, or the default). */
    static Path socket(final CommandLine command)
    {
        CommandLine root = command;
        while (root.getParent() != null)
        {
            root = root.getParent();
        }
        final Object main = root.getCommand();
        return WharfClient.resolveSocket(main instanceof WharfMain wharf ? wharf.socket : null);
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = WharfMain.class.getPackage().getImplementationVersion();
            return new String[] {"wharf " + (version == null ? "(development build)" : version)};
        }
    }
}
