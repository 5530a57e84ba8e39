package dev.wharf.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** A noun that only groups verbs ({@code wharf network}): run alone, it is a usage error naming the verbs. */
abstract class GroupCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of " + verbs(spec));
    }

    /** The subcommands' names in declaration order, without aliases and without {@code help}. */
    static String verbs(final CommandSpec spec)
    {
        return String.join(", ", spec.subcommands().keySet().stream()
            .filter(name -> spec.subcommands().get(name).getCommandSpec().name().equals(name) && !"help".equals(name))
            .toList());
    }
}
