package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf conntrack}: groups the connection-tracking verbs. */
@Command(
    name = "conntrack",
    mixinStandardHelpOptions = true,
    description = "List, count and flush tracked connections; show why connections failed.",
    subcommands = {ConntrackListCommand.class, ConntrackCountCommand.class, ConntrackStatsCommand.class, ConntrackFlushCommand.class},
    footer = {"", "Example:", "  wharf conntrack list --limit 20", "  wharf conntrack stats"})
final class ConntrackCommand extends GroupCommand
{
}
