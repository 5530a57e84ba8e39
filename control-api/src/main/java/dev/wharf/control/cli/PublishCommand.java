package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf publish}: groups the published-port verbs. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = "Publish containers' ports on host addresses (DNAT), list and remove them.",
    subcommands = {PublishAddCommand.class, PublishListCommand.class, PublishRemoveCommand.class},
    footer = {"", "Example:", "  wharf publish add front 10.10.0.3:80 -p 8080/tcp", "  wharf publish ls", "  wharf publish rm front 8080/tcp"})
final class PublishCommand extends GroupCommand
{
}
