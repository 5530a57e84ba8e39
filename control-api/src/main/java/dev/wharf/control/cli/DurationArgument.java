package dev.wharf.control.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the CLI takes them: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, or plain seconds. */
final class DurationArgument
{
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    private DurationArgument()
    {
    }

    /** The duration in milliseconds, capped at Integer.MAX_VALUE (the daemon refuses what is out of its range). */
    static int millis(final String text, final String what)
    {
        final Matcher m = DURATION.matcher(text);
        if (!m.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid " + what + " \"" + text + "\": expected seconds or 500ms, 30s, 5m, 1h");
        }
        final String unit = m.group(2) == null ? "s" : m.group(2);
        final long scale = switch (unit)
        {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        return (int)Math.min(Long.parseLong(m.group(1)) * scale, Integer.MAX_VALUE);
    }
}
