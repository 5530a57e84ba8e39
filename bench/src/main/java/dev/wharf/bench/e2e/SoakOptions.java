package dev.wharf.bench.e2e;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The command line of {@code wharf bench soak}, parsed by picocli from {@link Arguments}.
 *
 * @param durationSeconds the measured cycles stop after this long (after the warm-up), or at {@code cycles}.
 * @param cycles          the measured cycles stop after this many, or at {@code durationSeconds}; 0 for no count.
 * @param warmupCycles    cycles run before the baseline is taken (JIT, class loading, the heap's first sizing).
 * @param trafficEvery    every this many cycles, a TCP burst through a published port besides the ping of every cycle.
 * @param wharf           the {@code wharf} launcher that starts the daemon under test.
 */
record SoakOptions(double durationSeconds, int cycles, int warmupCycles, int trafficEvery, Path wharf)
{
    static final double DURATION_DEFAULT_SECONDS = 120;
    static final int WARMUP_DEFAULT = 30;
    static final int TRAFFIC_EVERY_DEFAULT = 10;
    static final int MAX_CYCLES = 1_000_000;

    static final String USAGE = commandLine(new Arguments()).getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();

    /** The options as picocli fills them in; turned into {@link SoakOptions} by {@link #parse}. */
    @Command(
        name = "wharf bench soak",
        sortOptions = false,
        usageHelpWidth = 120,
        description = {
            "Starts a daemon in a namespace of its own and, cycle after cycle, creates a network, attaches a veth (AF_PACKET)",
            "and a TAP port, publishes a port, pings across, bursts TCP through the published port now and then, and takes",
            "it all down again. Prints the daemon's RSS, native memory (NMT), live heap, descriptors and threads after the",
            "warm-up and at the end, and exits 1 when any grew beyond its bound (printed with the figures). Runs as root.",
            ""})
    static final class Arguments
    {
        @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "How long the measured cycles run: 2m, 90s or plain seconds, at most 1h (default: 2m).")
        Double durationSeconds;

        @Option(names = "--cycles", paramLabel = "N", converter = CyclesConverter.class,
            description = "Stop after N measured cycles (with --duration: whichever comes first; alone: up to 1h).")
        Integer cycles;

        @Option(names = "--warmup", paramLabel = "N", converter = CyclesConverter.class,
            description = "Cycles before the baseline is taken (default: ${DEFAULT-VALUE}).")
        int warmupCycles = WARMUP_DEFAULT;

        @Option(names = "--traffic-every", paramLabel = "N", converter = CyclesConverter.class,
            description = "A 1 s TCP burst (iperf3) through the published port every N cycles (default: ${DEFAULT-VALUE}).")
        int trafficEvery = TRAFFIC_EVERY_DEFAULT;

        @Option(names = "--wharf", paramLabel = "PATH", description = "The wharf launcher (default: ./wharf at the repository root).")
        Path wharf;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }

    private static CommandLine commandLine(final Arguments arguments)
    {
        return new CommandLine(arguments).setOverwrittenOptionsAllowed(true);
    }

    static SoakOptions parse(final String[] args, final Path defaultLauncher)
    {
        final Arguments arguments = new Arguments();
        final CommandLine commandLine = commandLine(arguments);
        try
        {
            commandLine.parseArgs(args);
        }
        catch (final CommandLine.ParameterException e)
        {
            throw e.getCause() instanceof E2eOptions.UsageException usage ? usage : new E2eOptions.UsageException(e.getMessage());
        }
        if (commandLine.isUsageHelpRequested())
        {
            throw new E2eOptions.UsageException(null);
        }
        // --cycles alone runs that many cycles, bounded only by the longest duration; nothing given runs the default duration
        final double duration = arguments.durationSeconds != null ? arguments.durationSeconds :
            arguments.cycles != null ? 3600 : DURATION_DEFAULT_SECONDS;
        final Path wharf = arguments.wharf == null ? defaultLauncher : arguments.wharf.toAbsolutePath();
        return new SoakOptions(duration, arguments.cycles == null ? 0 : arguments.cycles, arguments.warmupCycles, arguments.trafficEvery,
            wharf);
    }

    /** Whether the measured part is over after {@code done} cycles and {@code elapsedSeconds}. */
    boolean finished(final int done, final double elapsedSeconds)
    {
        return done >= MAX_CYCLES || (cycles > 0 && done >= cycles) || elapsedSeconds >= durationSeconds;
    }

    static final class DurationConverter implements ITypeConverter<Double>
    {
        @Override
        public Double convert(final String value)
        {
            return E2eOptions.parseDuration(value);
        }
    }

    static final class CyclesConverter implements ITypeConverter<Integer>
    {
        @Override
        public Integer convert(final String value)
        {
            try
            {
                final int n = Integer.parseInt(value.strip());
                if (n < 1 || n > MAX_CYCLES)
                {
                    throw new E2eOptions.UsageException("a cycle count must be 1.." + MAX_CYCLES + ": " + value);
                }
                return n;
            }
            catch (final NumberFormatException e)
            {
                throw new E2eOptions.UsageException("not a cycle count: " + value);
            }
        }
    }
}
