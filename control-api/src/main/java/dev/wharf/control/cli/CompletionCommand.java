package dev.wharf.control.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code wharf completion}: prints a bash (and zsh, through bashcompinit) completion script that
 * picocli generates from the same command model the parser uses, so every verb and option any
 * branch adds completes without a hand-kept list. Main thread; calls no daemon.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {"Print the bash completion script for wharf's commands and options.",
        "Load it into the current shell, or install it for every shell; zsh can use it after `autoload -U bashcompinit && bashcompinit`."},
    footer = {"", "Example:", "  source <(./wharf completion)",
        "  ./wharf completion > /etc/bash_completion.d/wharf"})
final class CompletionCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("wharf", spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }
}
