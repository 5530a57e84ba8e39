package dev.wharf.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code wharf bench e2e}, parsed by hand so the harness needs nothing but the
 * JDK. Accepts {@code --name value} and {@code --name=value}, and the flag {@code --nat}.
 *
 * @param durationSeconds each traffic phase (TCP, packet rate) lasts this long.
 * @param repeats         how many times each switch is measured, interleaved with the others.
 * @param only            the scenarios to run, in order (the routed NAT ones only when asked for).
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
    static final List<String> KNOWN = List.of("bridge", "ovs", "ovs-tso", "wharf", "nat-kernel", "nat-wharf");
    static final Path OUT_DEFAULT = Path.of("bench-results");

    static final String USAGE = String.join("\n",
        "usage: wharf bench e2e [--duration 10s] [--repeat 3] [--only bridge,ovs,ovs-tso,wharf] [--nat] [--out bench-results/] [--wharf PATH]",
        "",
        "Measures TCP throughput (1 and 4 streams), the 64-byte packet rate at the receiver, ping latency and the",
        "switch's CPU per million packets between two namespaces, through each switch in turn, interleaved across",
        "repeats; writes a Markdown table, a PNG chart and the raw samples into --out. Runs as root.",
        "",
        "  --duration D   length of each traffic phase: 10s, 500ms, 1m or plain seconds (default 10s)",
        "  --repeat N     repeats per switch (default 3)",
        "  --only LIST    switches to measure, comma-separated: bridge, ovs, ovs-tso, wharf (the default),",
        "                 nat-kernel, nat-wharf (routed: c1 behind a masquerading router, TCP and ping only)",
        "  --nat          add nat-kernel and nat-wharf to the selection",
        "  --out DIR      output directory (default bench-results/)",
        "  --wharf PATH   the wharf launcher (default: ./wharf at the repository root)");

    static E2eOptions parse(final String[] args, final Path defaultLauncher)
    {
        double duration = DURATION_DEFAULT_SECONDS;
        int repeats = REPEATS_DEFAULT;
        List<String> only = ONLY_DEFAULT;
        boolean nat = false;
        Path out = OUT_DEFAULT;
        Path wharf = defaultLauncher;
        for (int i = 0; i < args.length; i++)
        {
            String name = args[i];
            String value = null;
            final int equals = name.indexOf('=');
            if (name.startsWith("--") && equals > 0)
            {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (name.equals("--help") || name.equals("-h"))
            {
                throw new UsageException(null);
            }
            if (name.equals("--nat"))
            {
                if (value != null)
                {
                    throw new UsageException("--nat takes no value");
                }
                nat = true;
                continue;
            }
            if (value == null)
            {
                if (i + 1 >= args.length)
                {
                    throw new UsageException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name)
            {
                case "--duration" -> duration = parseDuration(value);
                case "--repeat", "--repeats" -> repeats = parsePositive(name, value);
                case "--only" -> only = parseOnly(value);
                case "--out" -> out = Path.of(value);
                case "--wharf" -> wharf = Path.of(value).toAbsolutePath();
                default -> throw new UsageException("unknown option " + name);
            }
        }
        if (nat)
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
        return new E2eOptions(duration, repeats, only, out, wharf);
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
