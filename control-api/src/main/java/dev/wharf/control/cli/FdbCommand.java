package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf fdb}: groups the forwarding-database verbs. */
@Command(
    name = "fdb",
    mixinStandardHelpOptions = true,
    description = "Show forwarding databases.",
    subcommands = {FdbShowCommand.class},
    footer = {"", "Example:", "  wharf fdb show front"})
final class FdbCommand extends GroupCommand
{
}
