package dev.wharf.bench.e2e;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code wharf bench e2e}, parsed by picocli from {@link Arguments}. Accepts
 * {@code --name value} and {@code --name=value}, and the flag {@code --nat}; an option given twice
 * takes its last value.
 *
 * @param durationSeconds each traffic phase (TCP, packet rate) lasts this long.
 * @param repeats         how many times each switch is measured, interleaved with the others.
 * @param only            the scenarios to run, in order (the routed NAT and the overlay ones only when asked for).
 * @param out             where the table, chart and raw samples go.
 * @param wharf           the {@code wharf} launcher that starts the daemon under test.
 */
record E2eOptions(double durationSeconds, int repeats, List<String> only, Path out, Path wharf)
{
    static final double DURATION_DEFAULT_SECONDS = 10;
    static final int REPEATS_DEFAULT = 3;
    static final List<String> ONLY_DEFAULT = List.of("bridge", "ovs", "ovs-tso", "wharf");
    /** The routed scenarios (c1 behind a masquerading router): off by default, on with --nat or by name in --only. */
    static final List<String> NAT = List.of("nat-kernel", "nat-wharf");
    /** The overlay scenarios (c1 and c2 on two hosts joined by a veth underlay): off by default, on by name in --only. */
    static final List<String> OVERLAY = List.of("vxlan-kernel", "vxlan-ovs", "vxlan-wharf", "geneve-wharf");
    /** The load-balancer scenarios (a VIP with three nginx backends): off by default, on by name in --only. */
    static final List<String> LB = List.of("lb-kernel", "lb-wharf");
    static final List<String> KNOWN = List.of("bridge", "ovs", "ovs-tso", "wharf", "nat-kernel", "nat-wharf",
        "vxlan-kernel", "vxlan-ovs", "vxlan-wharf", "geneve-wharf", "lb-kernel", "lb-wharf");
    static final Path OUT_DEFAULT = Path.of("bench-results");

    static final String USAGE = commandLine(new Arguments()).getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();

    /** The options as picocli fills them in; turned into an {@link E2eOptions} by {@link #parse}. */
    @Command(
        name = "wharf bench e2e",
        sortOptions = false,
        sortSynopsis = false,
        usageHelpWidth = 120,
        description = {
            "Measures TCP throughput (1 and 4 streams), the 64-byte packet rate at the receiver, ping latency and the",
            "switch's CPU per million packets between two namespaces, through each switch in turn, interleaved across",
            "repeats (the load balancer: requests and new connections per second and TCP through a VIP);",
            "writes a Markdown table, a PNG chart and the raw samples into --out. Runs as root.",
            ""})
    static final class Arguments
    {
        @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "Length of each traffic phase: 10s, 500ms, 1m or plain seconds (default: 10s).")
        double durationSeconds = DURATION_DEFAULT_SECONDS;

        @Option(names = {"--repeat", "--repeats"}, paramLabel = "N", converter = RepeatsConverter.class,
            description = "Repeats per switch, 1..100 (default: ${DEFAULT-VALUE}).")
        int repeats = REPEATS_DEFAULT;

        // a String, not a List: picocli would make a List option repeatable, and --only takes one comma-separated list
        @Option(names = "--only", paramLabel = "LIST",
            description = {"Switches to measure, comma-separated: bridge, ovs, ovs-tso, wharf (the default),",
                "nat-kernel, nat-wharf (routed: c1 behind a masquerading router, TCP and ping only),",
                "vxlan-kernel, vxlan-ovs, vxlan-wharf, geneve-wharf (overlay: c1 and c2 on two hosts joined by a veth underlay),",
                "lb-kernel, lb-wharf (load balancer: c1 to a VIP with three nginx backends; wrk and iperf3 through it)."})
        String only;

        @Option(names = "--nat", arity = "0", description = "Add nat-kernel and nat-wharf to the selection.")
        boolean nat;

        @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: bench-results/).")
        Path out = OUT_DEFAULT;

        @Option(names = "--wharf", paramLabel = "PATH", description = "The wharf launcher (default: ./wharf at the repository root).")
        Path wharf;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }

    private static CommandLine commandLine(final Arguments arguments)
    {
        return new CommandLine(arguments).setOverwrittenOptionsAllowed(true);
    }

    static E2eOptions parse(final String[] args, final Path defaultLauncher)
    {
        final Arguments arguments = new Arguments();
        final CommandLine commandLine = commandLine(arguments);
        try
        {
            commandLine.parseArgs(args);
        }
        catch (final CommandLine.ParameterException e)
        {
            throw usageError(e, args);
        }
        if (commandLine.isUsageHelpRequested())
        {
            throw new UsageException(null);
        }
        List<String> only = arguments.only == null ? ONLY_DEFAULT : parseOnly(arguments.only);
        if (arguments.nat)
        {
            final List<String> withNat = new ArrayList<>(only);
            for (final String id : NAT)
            {
                if (!withNat.contains(id))
                {
                    withNat.add(id);
                }
            }
            only = List.copyOf(withNat);
        }
        final Path wharf = arguments.wharf == null ? defaultLauncher : arguments.wharf.toAbsolutePath();
        return new E2eOptions(arguments.durationSeconds, arguments.repeats, only, arguments.out, wharf);
    }

    private static UsageException usageError(final CommandLine.ParameterException e, final String[] args)
    {
        if (e.getCause() instanceof UsageException usage)
        {
            // a converter's own words say more than picocli's "Invalid value for option"
            return usage;
        }
        if (e instanceof CommandLine.MaxValuesExceededException)
        {
            // picocli does not say which option: the flag given a value ("--nat=yes")
            for (final String arg : args)
            {
                final int equals = arg.indexOf('=');
                final OptionSpec option = equals > 0 ? e.getCommandLine().getCommandSpec().findOption(arg.substring(0, equals)) : null;
                if (option != null && option.arity().max() == 0)
                {
                    return new UsageException(option.longestName() + " takes no value");
                }
            }
        }
        return new UsageException(e.getMessage());
    }

    static final class DurationConverter implements ITypeConverter<Double>
    {
        @Override
        public Double convert(final String value)
        {
            return parseDuration(value);
        }
    }

    static final class RepeatsConverter implements ITypeConverter<Integer>
    {
        @Override
        public Integer convert(final String value)
        {
            return parsePositive("--repeat", value);
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, or plain seconds. */
    static double parseDuration(final String text)
    {
        final String t = text.strip().toLowerCase(Locale.ROOT);
        try
        {
            final double seconds;
            if (t.endsWith("ms"))
            {
                seconds = Double.parseDouble(t.substring(0, t.length() - 2)) / 1000;
            }
            else if (t.endsWith("s"))
            {
                seconds = Double.parseDouble(t.substring(0, t.length() - 1));
            }
            else if (t.endsWith("m"))
            {
                seconds = Double.parseDouble(t.substring(0, t.length() - 1)) * 60;
            }
            else
            {
                seconds = Double.parseDouble(t);
            }
            if (!(seconds >= 1 && seconds <= 3600))
            {
                throw new UsageException("--duration must be between 1s and 1h: " + text);
            }
            return seconds;
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException("--duration: not a duration: " + text);
        }
    }

    private static int parsePositive(final String name, final String value)
    {
        try
        {
            final int n = Integer.parseInt(value.strip());
            if (n < 1 || n > 100)
            {
                throw new UsageException(name + " must be 1..100: " + value);
            }
            return n;
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException(name + ": not a number: " + value);
        }
    }

    private static List<String> parseOnly(final String value)
    {
        final List<String> names = new ArrayList<>();
        for (final String part : value.split(","))
        {
            final String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty())
            {
                continue;
            }
            if (!KNOWN.contains(name))
            {
                throw new UsageException("--only: unknown switch '" + name + "' (known: " + String.join(", ", KNOWN) + ")");
            }
            if (!names.contains(name))
            {
                names.add(name);
            }
        }
        if (names.isEmpty())
        {
            throw new UsageException("--only: no switch named");
        }
        return List.copyOf(names);
    }

    /** Bad command line; a null message asks for the usage only. */
    static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }
}
