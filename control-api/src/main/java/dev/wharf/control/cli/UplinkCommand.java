package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf uplink}: groups the uplink verbs. */
@Command(
    name = "uplink",
    mixinStandardHelpOptions = true,
    description = "Set, show and remove the uplink: the host's outside interface that networks reach the world through.",
    subcommands = {UplinkSetCommand.class, UplinkShowCommand.class, UplinkRemoveCommand.class},
    footer = {"", "Example:", "  wharf uplink set veth-up --ip 10.99.0.2/24 --gateway 10.99.0.1", "  wharf uplink show"})
final class UplinkCommand extends GroupCommand
{
}
