package dev.wharf.control.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape in the Prometheus text format, parsed into samples, so tests find a series by name
 * and labels instead of matching text. Only what our exposition writes: no timestamps, no
 * escaped quotes in label values that tests look up.
 */
public final class Scrape
{
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** A series and its value. */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    private final String text;
    private final List<Sample> samples = new ArrayList<>();

    public Scrape(final String text)
    {
        this.text = text;
        for (final String line : text.split("\n"))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches())
            {
                throw new AssertionError("not a sample line: " + line);
            }
            final Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null)
            {
                final Matcher l = LABEL.matcher(m.group(2));
                while (l.find())
                {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
    }

    public String text()
    {
        return text;
    }

    public List<Sample> samples(final String name)
    {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The samples of {@code name} whose labels include every pair of {@code labelPairs} (k1, v1, k2, v2, ...). */
    public List<Sample> samples(final String name, final String... labelPairs)
    {
        final List<Sample> found = new ArrayList<>();
        for (final Sample sample : samples(name))
        {
            boolean matches = true;
            for (int i = 0; i < labelPairs.length; i += 2)
            {
                matches &= Objects.equals(sample.labels().get(labelPairs[i]), labelPairs[i + 1]);
            }
            if (matches)
            {
                found.add(sample);
            }
        }
        return found;
    }

    /** The one sample's value; fails when there is none or more than one. */
    public long value(final String name, final String... labelPairs)
    {
        final List<Sample> found = samples(name, labelPairs);
        if (found.size() != 1)
        {
            throw new AssertionError(found.size() + " samples of " + name + " " + String.join(",", labelPairs) +
                " (want exactly 1) in:\n" + text);
        }
        return (long)found.get(0).value();
    }

    public boolean has(final String name, final String... labelPairs)
    {
        return !samples(name, labelPairs).isEmpty();
    }
}
