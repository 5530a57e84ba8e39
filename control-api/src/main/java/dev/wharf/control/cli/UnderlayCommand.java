package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf underlay}: groups the underlay verbs. */
@Command(
    name = "underlay",
    mixinStandardHelpOptions = true,
    description = "Set, show and remove the underlay: this host's tunnel endpoint, which overlay networks are carried over.",
    subcommands = {UnderlaySetCommand.class, UnderlayShowCommand.class, UnderlayRemoveCommand.class},
    footer = {"", "Example:", "  wharf underlay set --local 10.200.0.1", "  wharf underlay show"})
final class UnderlayCommand extends GroupCommand
{
}
