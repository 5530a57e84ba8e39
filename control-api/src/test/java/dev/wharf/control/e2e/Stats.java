package dev.wharf.control.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads named counters and port counters out of {@code wharf stats --json}. */
public final class Stats
{
    private Stats()
    {
    }

    /** The value of counter {@code name} (e.g. {@code ethernet-input.runt}); 0 when not listed (never counted). */
    public static long counter(final WharfDaemonProcess wharf, final String name)
    {
        final String json = wharf.ok("stats", "--json");
        final Matcher m = Pattern.compile("\\{[^{}]*\"name\"\\s*:\\s*\"" + Pattern.quote(name) + "\"[^{}]*}").matcher(json);
        if (!m.find())
        {
            return 0;
        }
        return number(m.group(), "value");
    }

    /** A port's counter ({@code rxPackets}, {@code txPackets}, {@code rxDrops}, ...) by interface name. */
    public static long port(final WharfDaemonProcess wharf, final String portName, final String field)
    {
        final String json = wharf.ok("stats", "--json");
        final Matcher m = Pattern.compile("\\{[^{}]*\"(?:name|interface)\"\\s*:\\s*\"" + Pattern.quote(portName) + "\"[^{}]*}").matcher(json);
        if (!m.find())
        {
            throw new AssertionError("port " + portName + " not in stats: " + json);
        }
        return number(m.group(), field);
    }

    private static long number(final String object, final String field)
    {
        final Matcher v = Pattern.compile("\"" + field + "\"\\s*:\\s*\"?(\\d+)").matcher(object);
        return v.find() ? Long.parseLong(v.group(1)) : 0;
    }
}
