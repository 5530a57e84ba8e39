package dev.wharf.control.cli;

import dev.wharf.control.client.ClientTls;
import dev.wharf.control.client.HostPort;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
    footer = {
        "",
        "Example:",
        "  wharf daemon &",
        "  wharf network create front --subnet 10.10.0.0/24",
        "  wharf port attach front veth-c1 --ip 10.10.0.2",
        "  wharf uplink set veth-up --ip 10.99.0.2/24 --gateway 10.99.0.1",
        "  wharf publish add front 10.10.0.2:80 -p 8080/tcp",
        "",
        "The API socket is /run/wharf/wharf.sock unless WHARF_SOCKET says otherwise;",
        "--host (or WHARF_HOST) calls a daemon's TCP listener (wharf daemon --listen) instead.",
        "Exit codes: 0 ok, 1 usage or invalid argument, 2 not found, 3 already exists,",
        "4 precondition failed, 5 daemon unreachable, 6 other failure."
    })
public final class WharfMain implements Callable<Integer>
{
    /**
     * The verbs in the order {@code wharf --help} lists them. Added by {@link #newCommandLine()}
     * rather than through {@code @Command(subcommands)}, so that one call can build only its own verb
     * ({@link #newCommandLine(String[])}).
     */
    private static final Class<?>[] VERBS = {
        DaemonCommand.class,
        NetworkCommand.class,
        PortCommand.class,
        FdbCommand.class,
        StatsCommand.class,
        TraceCommand.class,
        CaptureCommand.class,
        UplinkCommand.class,
        UnderlayCommand.class,
        VtepCommand.class,
        PublishCommand.class,
        LbCommand.class,
        DnsCommand.class,
        ClusterCommand.class,
        ConntrackCommand.class,
        RuleCommand.class,
        dev.wharf.control.demo.DemoCommand.class,
        CompletionCommand.class,
        CommandLine.HelpCommand.class
    };

    /** The verbs that run in this process rather than call a daemon: they keep logback for Netty's logs. */
    private static final Set<Class<?>> IN_PROCESS_VERBS = Set.of(DaemonCommand.class, dev.wharf.control.demo.DemoCommand.class);

    /** The root options that take a value, which may come before the verb. */
    private static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--socket", "--host", "--tls-ca", "--tls-cert", "--tls-key");

    @Spec
    CommandSpec spec;

    // shown (and so completed): a second daemon or a test's socket is the first thing a script must name
    @Option(names = "--socket", paramLabel = "PATH", description = "The daemon's API socket (default: $WHARF_SOCKET, else /run/wharf/wharf.sock).")
    Path socket;

    @Option(names = "--host", paramLabel = "HOST:PORT",
        description = "Call the daemon's TCP listener (wharf daemon --listen) instead of the socket (default: $WHARF_HOST).")
    String host;

    @Option(names = "--tls-ca", paramLabel = "FILE",
        description = "With --host: speak TLS and trust the daemon's certificate if this CA (PEM) signed it (default: $WHARF_TLS_CA).")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE",
        description = "With --host: speak TLS and present this client certificate (PEM), for a daemon with --tls-client-ca (default: $WHARF_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The client certificate's private key (PEM, PKCS#8) (default: $WHARF_TLS_KEY).")
    Path tlsKey;

    public static void main(final String[] args)
    {
        final Class<?> verb = verb(args);
        if (verb != null && !IN_PROCESS_VERBS.contains(verb))
        {
            ClientLogging.install();
        }
        System.exit(newCommandLine(verb == null ? VERBS : new Class<?>[] {verb}).execute(args));
    }

    /** The command line with every verb and its one-line error handling; tests set its out and err. */
    public static CommandLine newCommandLine()
    {
        return newCommandLine(VERBS);
    }

    /**
     * The command line for these arguments: with only the verb they name when they name one (picocli
     * builds each command's model by reflection, and all of them cost more than a client's call),
     * else with every verb, as {@code --help}, {@code help} and {@code completion} need.
     */
    public static CommandLine newCommandLine(final String[] args)
    {
        final Class<?> verb = verb(args);
        return newCommandLine(verb == null ? VERBS : new Class<?>[] {verb});
    }

    private static CommandLine newCommandLine(final Class<?>[] verbs)
    {
        final ErrorHandler errors = new ErrorHandler();
        final CommandLine commandLine = new CommandLine(new WharfMain());
        for (final Class<?> verb : verbs)
        {
            commandLine.addSubcommand(verb);
        }
        return commandLine
            .setParameterExceptionHandler(errors)
            .setExecutionExceptionHandler(errors)
            .setCaseInsensitiveEnumValuesAllowed(true)
            // picocli's 80 columns broke examples inside their tokens (a jq filter pasted from --help failed); a
            // terminal wraps a long line itself without breaking what is copied from it
            .setUsageHelpWidth(USAGE_HELP_WIDTH);
    }

    /** The columns of --help: wide enough that no example or option line is broken by picocli. */
    static final int USAGE_HELP_WIDTH = 200;

    /**
     * The verb these arguments run when it alone can run them: the first word after the root's
     * value options, when it is a verb other than {@code help} and {@code completion} (which read
     * the whole tree). Null when anything else comes first (--help, --version, an unknown word).
     */
    static Class<?> verb(final String[] args)
    {
        int i = 0;
        while (i < args.length && args[i].startsWith("-"))
        {
            final String option = args[i];
            final int equals = option.indexOf('=');
            if (!ROOT_OPTIONS_WITH_VALUE.contains(equals < 0 ? option : option.substring(0, equals)))
            {
                return null;
            }
            i += equals < 0 ? 2 : 1;
        }
        if (i >= args.length)
        {
            return null;
        }
        for (final Class<?> verb : VERBS)
        {
            if (verb != CommandLine.HelpCommand.class && verb != CompletionCommand.class && names(verb).contains(args[i]))
            {
                return verb;
            }
        }
        return null;
    }

    private static List<String> names(final Class<?> verb)
    {
        final Command command = verb.getAnnotation(Command.class);
        final List<String> names = new ArrayList<>(List.of(command.aliases()));
        names.add(command.name());
        return names;
    }

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of " + GroupCommand.verbs(spec));
    }

    /** The socket a command of this command line talks to (the root's --socket, WHARF_SOCKET, or the default). */
    static Path socket(final CommandLine command)
    {
        final WharfMain main = root(command);
        return WharfClient.resolveSocket(main == null ? null : main.socket);
    }

    /**
     * The TCP listener a command of this command line talks to (the root's --host, else WHARF_HOST), or
     * null for the socket. An explicit --socket wins over WHARF_HOST.
     */
    static HostPort host(final CommandLine command)
    {
        final WharfMain main = root(command);
        final String text = main != null && main.host != null ? main.host :
            main != null && main.socket != null ? null : env(WharfClient.HOST_ENV);
        if (text == null)
        {
            return null;
        }
        try
        {
            return HostPort.parse(text, main != null && main.host != null ? "--host" : WharfClient.HOST_ENV);
        }
        catch (final IllegalArgumentException e)
        {
            throw new CliFailure(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** A client for the daemon this command line names: its TCP listener when there is a host, else its socket. */
    static WharfClient connect(final CommandLine command)
    {
        final HostPort target = host(command);
        if (target == null)
        {
            return new WharfClient(socket(command));
        }
        final WharfMain main = root(command);
        final Path ca = main != null && main.tlsCa != null ? main.tlsCa : path(env("WHARF_TLS_CA"));
        final Path cert = main != null && main.tlsCert != null ? main.tlsCert : path(env("WHARF_TLS_CERT"));
        final Path key = main != null && main.tlsKey != null ? main.tlsKey : path(env("WHARF_TLS_KEY"));
        try
        {
            final ClientTls tls = ca == null && cert == null && key == null ? null : new ClientTls(ca, cert, key);
            return WharfClient.overTcp(target, tls, WharfClient.DEADLINE_MS_DEFAULT);
        }
        catch (final IllegalArgumentException | IOException e)
        {
            throw new CliFailure(ExitCodes.USAGE, e.getMessage());
        }
    }

    private static WharfMain root(final CommandLine command)
    {
        CommandLine root = command;
        while (root.getParent() != null)
        {
            root = root.getParent();
        }
        return root.getCommand() instanceof WharfMain main ? main : null;
    }

    private static String env(final String name)
    {
        final String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static Path path(final String text)
    {
        return text == null ? null : Path.of(text);
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
