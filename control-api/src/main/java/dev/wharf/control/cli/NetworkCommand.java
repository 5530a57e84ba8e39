package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf network}: groups the network verbs. */
@Command(
    name = "network",
    mixinStandardHelpOptions = true,
    description = "Create, list, inspect, remove and connect networks.",
    subcommands = {NetworkCreateCommand.class, NetworkListCommand.class, NetworkInspectCommand.class, NetworkRemoveCommand.class,
        NetworkConnectCommand.class, NetworkDisconnectCommand.class},
    footer = {"", "Example:", "  wharf network create front --subnet 10.10.0.0/24", "  wharf network ls"})
final class NetworkCommand extends GroupCommand
{
}
