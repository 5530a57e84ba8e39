package dev.wharf.control.docs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Regenerates both references, {@code docs/cli.md} and {@code docs/api.md}, under a repository
 * root (argument, default: the working directory). {@code DocsTest} runs the same generators and
 * fails while a committed file differs from what they produce. Main thread.
 */
public final class Docs
{
    /** The one command that regenerates the docs, as the generated files and the test's failure say it. */
    public static final String REGENERATE = "mvn -B -q -pl control-api test -Dtest=DocsTest -Dwharf.docs.update=true";

    private Docs()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path root = Path.of(args.length > 0 ? args[0] : ".");
        CliReference.main(new String[] {root.resolve("docs/cli.md").toString()});
        ApiReference.main(new String[] {root.resolve("docs/api.md").toString()});
    }

    static String generatedNotice(final String from)
    {
        return "<!-- Generated from " + from + "; do not edit by hand.\n" +
            "     Regenerate (from the repository root): " + REGENERATE + " -->\n";
    }
}
