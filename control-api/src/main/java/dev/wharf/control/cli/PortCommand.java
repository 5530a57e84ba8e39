package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf port}: groups the port verbs. */
@Command(
    name = "port",
    mixinStandardHelpOptions = true,
    description = "Attach interfaces to networks, detach them, list them.",
    subcommands = {PortAttachCommand.class, PortDetachCommand.class, PortListCommand.class},
    footer = {"", "Example:", "  wharf port attach front veth-c1 --ip 10.10.0.2", "  wharf port ls"})
final class PortCommand extends GroupCommand
{
}
