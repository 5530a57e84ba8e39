package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the numbers were measured on, for the report: CPUs, CPU model, memory, kernel, date and
 * the versions of the anchors' tools. Read once at the start of a run.
 */
record MachineInfo(Map<String, String> facts)
{
    static MachineInfo collect()
    {
        final Map<String, String> facts = new LinkedHashMap<>();
        facts.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        facts.put("nproc", firstLine(Shell.run(5, "nproc").stdout(), Integer.toString(Runtime.getRuntime().availableProcessors())));
        facts.put("cpu", cpuModel());
        facts.put("memory", memory());
        facts.put("kernel", read("/proc/sys/kernel/osrelease"));
        facts.put("iperf3", firstLine(Shell.run(5, "iperf3", "--version").stdout(), "?"));
        facts.put("trafgen", firstLine(Shell.run(5, "trafgen", "--version").stdout(), "?").replaceAll(",.*", ""));
        if (Shell.which("ovs-vswitchd") != null)
        {
            facts.put("ovs", firstLine(Shell.run(5, "ovs-vswitchd", "--version").stdout(), "?"));
        }
        return new MachineInfo(facts);
    }

    String get(final String key)
    {
        return facts.getOrDefault(key, "?");
    }

    /** One line: "2 CPUs (AMD EPYC), 7.8 GiB, Linux 6.18.44". */
    String summary()
    {
        return get("nproc") + " CPUs (" + get("cpu") + "), " + get("memory") + ", Linux " + get("kernel");
    }

    private static String cpuModel()
    {
        for (final String line : read("/proc/cpuinfo").split("\n"))
        {
            if (line.startsWith("model name"))
            {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return "?";
    }

    private static String memory()
    {
        for (final String line : read("/proc/meminfo").split("\n"))
        {
            if (line.startsWith("MemTotal:"))
            {
                final long kib = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "?";
    }

    private static String read(final String path)
    {
        try
        {
            return Files.readString(Path.of(path)).strip();
        }
        catch (final IOException e)
        {
            return "?";
        }
    }

    private static String firstLine(final String text, final String fallback)
    {
        final String line = Shell.firstLine(text);
        return line.isEmpty() ? fallback : line;
    }
}
