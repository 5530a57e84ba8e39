package dev.wharf.bench.e2e;

import java.util.regex.Pattern;

/**
 * The prefix of every name the harness gives a namespace, link, bridge, nftables table or temporary file:
 * {@value #DEFAULT} unless the environment variable {@value #VARIABLE} names another, so that two runs on
 * one machine (two engineers' worktrees) neither collide nor sweep each other's resources as leftovers.
 * Two to four lowercase letters or digits, starting with a letter: the longest link name
 * ({@code PREFIX-natbr}) must stay within the kernel's 15 characters.
 */
final class HarnessPrefix
{
    static final String VARIABLE = "WHARF_BENCH_PREFIX";
    static final String DEFAULT = "wbe";
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9]{1,3}");

    /** This run's prefix, read once from the environment. */
    static final String VALUE = parse(System.getenv(VARIABLE));

    private HarnessPrefix()
    {
    }

    /** The prefix {@code value} names ({@link #DEFAULT} when unset or blank); throws on one the kernel's names cannot take. */
    static String parse(final String value)
    {
        if (value == null || value.isBlank())
        {
            return DEFAULT;
        }
        final String prefix = value.strip();
        if (!VALID.matcher(prefix).matches())
        {
            throw new IllegalArgumentException(VARIABLE + " must be 2 to 4 lowercase letters or digits, starting with a letter: '" + value + "'");
        }
        return prefix;
    }

    /** {@code PREFIX-suffix}. */
    static String name(final String suffix)
    {
        return VALUE + "-" + suffix;
    }
}
