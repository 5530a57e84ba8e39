package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Every sample of a run, as CSV (one row per sample) and as JSON (with the machine and the
 * options), so figures can be recomputed or merged across runs without parsing the Markdown.
 */
final class RawSamplesWriter
{
    private final RunResults results;
    private final MachineInfo machine;
    private final E2eOptions options;

    RawSamplesWriter(final RunResults results, final MachineInfo machine, final E2eOptions options)
    {
        this.results = results;
        this.machine = machine;
        this.options = options;
    }

    void writeCsv(final Path file) throws IOException
    {
        final StringBuilder csv = new StringBuilder("time,scenario,repeat,metric,unit,value\n");
        for (final Sample s : results.samples())
        {
            csv.append(Instant.ofEpochMilli(s.epochMs())).append(',')
                .append(s.scenario()).append(',')
                .append(s.repeat()).append(',')
                .append(s.metric().id()).append(',')
                .append(s.metric().unit()).append(',')
                .append(number(s.value())).append('\n');
        }
        Files.writeString(file, csv);
    }

    void writeJson(final Path file) throws IOException
    {
        final StringBuilder json = new StringBuilder("{\n  \"machine\": {");
        boolean first = true;
        for (final Map.Entry<String, String> fact : machine.facts().entrySet())
        {
            json.append(first ? "" : ",").append("\n    ").append(string(fact.getKey())).append(": ").append(string(fact.getValue()));
            first = false;
        }
        json.append("\n  },\n  \"options\": {\"durationSeconds\": ").append(number(options.durationSeconds()))
            .append(", \"repeats\": ").append(options.repeats())
            .append(", \"only\": [");
        for (int i = 0; i < options.only().size(); i++)
        {
            json.append(i == 0 ? "" : ", ").append(string(options.only().get(i)));
        }
        json.append("]},\n  \"scenarios\": {");
        first = true;
        for (final Scenario scenario : results.scenarios())
        {
            json.append(first ? "" : ", ").append(string(scenario.id())).append(": {\"kind\": ")
                .append(string(scenario.kind().name().toLowerCase(Locale.ROOT))).append(", \"subject\": ").append(scenario.isSubject()).append('}');
            first = false;
        }
        json.append("},\n  \"skipped\": {");
        first = true;
        for (final Map.Entry<String, String> skip : results.skipped().entrySet())
        {
            json.append(first ? "" : ", ").append(string(skip.getKey())).append(": ").append(string(skip.getValue()));
            first = false;
        }
        json.append("},\n  \"failures\": [");
        for (int i = 0; i < results.failures().size(); i++)
        {
            json.append(i == 0 ? "" : ", ").append(string(results.failures().get(i)));
        }
        json.append("],\n  \"samples\": [");
        for (int i = 0; i < results.samples().size(); i++)
        {
            final Sample s = results.samples().get(i);
            json.append(i == 0 ? "\n" : ",\n").append("    {\"time\": ").append(string(Instant.ofEpochMilli(s.epochMs()).toString()))
                .append(", \"scenario\": ").append(string(s.scenario()))
                .append(", \"repeat\": ").append(s.repeat())
                .append(", \"metric\": ").append(string(s.metric().id()))
                .append(", \"label\": ").append(string(s.metric().label()))
                .append(", \"unit\": ").append(string(s.metric().unit()))
                .append(", \"value\": ").append(Double.isNaN(s.value()) ? "null" : number(s.value()))
                .append('}');
        }
        json.append("\n  ]\n}\n");
        Files.writeString(file, json);
    }

    private static String number(final double value)
    {
        if (Double.isNaN(value))
        {
            return "";
        }
        return String.format(Locale.ROOT, "%.6g", value).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1");
    }

    private static String string(final String text)
    {
        final StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
