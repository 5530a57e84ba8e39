package dev.wharf.bench.e2e;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What wrk's text report (with {@code --latency}) says: the requests completed and how long the test ran
 * ({@code 245678 requests in 10.00s, 56.78MB read}), the rate ({@code Requests/sec:}), the median and 99th
 * percentile latency of the distribution (in ms, from wrk's us, ms, s or m), the socket errors (connect, read,
 * write and timeout added up) and the responses that were not 2xx or 3xx. A figure the report lacks is NaN,
 * the counters of lines it leaves out (no errors) 0; {@link #completed()} says whether it is a report at all.
 */
record WrkReport(long requests, double seconds, double requestsPerSecond, double p50Ms, double p99Ms, long socketErrors,
    long non2xx)
{
    private static final Pattern TOTAL = Pattern.compile("(?m)^\\s*(\\d+) requests in ([0-9.]+)(us|ms|s|m|h),");
    private static final Pattern RATE = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
        "(?m)^\\s*Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s*Non-2xx or 3xx responses: (\\d+)");

    static WrkReport parse(final String text)
    {
        final Matcher total = TOTAL.matcher(text);
        final boolean hasTotal = total.find();
        final Matcher rate = RATE.matcher(text);
        long errors = 0;
        final Matcher socket = SOCKET_ERRORS.matcher(text);
        if (socket.find())
        {
            for (int group = 1; group <= 4; group++)
            {
                errors += Long.parseLong(socket.group(group));
            }
        }
        final Matcher non2xx = NON_2XX.matcher(text);
        return new WrkReport(
            hasTotal ? Long.parseLong(total.group(1)) : 0,
            hasTotal ? toMs(total.group(2), total.group(3)) / 1e3 : Double.NaN,
            rate.find() ? Double.parseDouble(rate.group(1)) : Double.NaN,
            percentileMs(text, "50"),
            percentileMs(text, "99"),
            errors,
            non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
    }

    /** Whether wrk finished a test and said how many requests it made (a killed or failed wrk prints no such line). */
    boolean completed()
    {
        return !Double.isNaN(seconds) && !Double.isNaN(requestsPerSecond);
    }

    /** A line of the "Latency Distribution" block: {@code     99%    3.20ms}. */
    private static double percentileMs(final String text, final String percent)
    {
        final Matcher line = Pattern.compile("(?m)^\\s*" + percent + "%\\s+([0-9.]+)(us|ms|s|m|h)\\s*$").matcher(text);
        return line.find() ? toMs(line.group(1), line.group(2)) : Double.NaN;
    }

    private static double toMs(final String value, final String unit)
    {
        final double v = Double.parseDouble(value);
        return switch (unit.toLowerCase(Locale.ROOT))
        {
            case "us" -> v / 1e3;
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            case "h" -> v * 3_600e3;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
