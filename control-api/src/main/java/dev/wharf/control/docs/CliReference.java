package dev.wharf.control.docs;

import dev.wharf.control.cli.ExitCodes;
import dev.wharf.control.cli.WharfMain;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code docs/cli.md}, the CLI reference, from the same picocli model the parser runs on:
 * every command that is not hidden, in declaration order, with its full {@code --help} text
 * (description, options, example). Nothing is listed by hand, so a verb or option added on any
 * branch appears once the file is regenerated, and {@code DocsTest} fails until it is. Run on one
 * thread, from a test or its main method.
 */
public final class CliReference
{
    /** Fixed so that the file does not depend on the terminal of whoever regenerates it. */
    static final int WIDTH = 200; // as wharf --help (WharfMain): a narrower page broke examples and paths inside their tokens

    private CliReference()
    {
    }

    /** Writes the reference to the file given (default: docs/cli.md under the working directory). */
    public static void main(final String[] args) throws IOException
    {
        final Path file = Path.of(args.length > 0 ? args[0] : "docs/cli.md");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, generate(), StandardCharsets.UTF_8);
    }

    /** The reference as Markdown. */
    public static String generate()
    {
        final CommandLine root = WharfMain.newCommandLine();
        root.setUsageHelpWidth(WIDTH);
        final List<CommandLine> commands = new ArrayList<>();
        collect(root, commands);

        final StringBuilder md = new StringBuilder();
        md.append("# wharf command line reference\n\n");
        md.append(Docs.generatedNotice("the picocli commands (dev.wharf.control.docs.CliReference)")).append('\n');
        md.append("Every command below prints the same text with `--help`. Listing verbs take `--json`, which prints\n")
            .append("the API's response in protobuf's JSON mapping (see [api.md](api.md)).\n\n");
        md.append("## Connecting to the daemon\n\n")
            .append("Commands other than `daemon`, `demo` and `completion` call a daemon's API:\n\n")
            .append("- on its Unix socket: `--socket PATH` before the command, else `$WHARF_SOCKET`, else `/run/wharf/wharf.sock`;\n")
            .append("- or on its TCP listener (`wharf daemon --listen`): `--host HOST:PORT` before the command, or `$WHARF_HOST`,\n")
            .append("  with `--tls-ca FILE` (`$WHARF_TLS_CA`) to speak TLS, and `--tls-cert FILE --tls-key FILE`\n")
            .append("  (`$WHARF_TLS_CERT`, `$WHARF_TLS_KEY`) when the daemon requires client certificates.\n\n");
        md.append("## Shell completion\n\n")
            .append("```\nsource <(./wharf completion)                      # this shell\n")
            .append("./wharf completion > /etc/bash_completion.d/wharf  # every new shell\n```\n\n");
        md.append("## Errors and exit codes\n\n")
            .append("A failure prints one line on stderr, `wharf: <what is wrong and what to do>`, and nothing on stdout.\n\n")
            .append("| exit | meaning |\n|---|---|\n");
        for (final String[] code : ExitCodes.MEANINGS)
        {
            md.append("| ").append(code[0]).append(" | ").append(code[1]).append(" |\n");
        }
        md.append("\n## Commands\n\n");
        for (final CommandLine command : commands)
        {
            final String name = command.getCommandSpec().qualifiedName();
            md.append("- [").append(name).append("](#").append(anchor(name)).append(")\n");
        }
        for (final CommandLine command : commands)
        {
            md.append("\n## ").append(command.getCommandSpec().qualifiedName()).append("\n\n");
            md.append("```\n").append(command.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        }
        return md.toString();
    }

    /** The qualified names of every documented command, in the order of the reference. */
    public static List<String> commandNames()
    {
        final List<CommandLine> commands = new ArrayList<>();
        collect(WharfMain.newCommandLine(), commands);
        return commands.stream().map(command -> command.getCommandSpec().qualifiedName()).toList();
    }

    /** Depth first, declaration order, each command once (not again under its aliases), hidden ones left out. */
    private static void collect(final CommandLine command, final List<CommandLine> into)
    {
        final CommandSpec spec = command.getCommandSpec();
        if (spec.usageMessage().hidden())
        {
            return;
        }
        into.add(command);
        spec.subcommands().forEach((name, sub) ->
        {
            if (sub.getCommandSpec().name().equals(name))
            {
                collect(sub, into);
            }
        });
    }

    /** GitHub's anchor for a heading: lower case, spaces to dashes. */
    static String anchor(final String heading)
    {
        return heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }
}
