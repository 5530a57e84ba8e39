package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf lb backend}: groups the verbs on a service's backends. */
@Command(
    name = "backend",
    mixinStandardHelpOptions = true,
    description = "Add, change and remove a virtual service's backends (IPVS's real servers).",
    subcommands = {LbBackendAddCommand.class, LbBackendSetCommand.class, LbBackendRemoveCommand.class},
    footer = {"", "Example:", "  wharf lb backend add 10.10.0.100:80/tcp 10.10.0.11:8080 --weight 2",
        "  wharf lb backend set 10.10.0.100:80/tcp 10.10.0.11:8080 --weight 0",
        "  wharf lb backend rm 10.10.0.100:80/tcp 10.10.0.12:8080 --drain 30s"})
final class LbBackendCommand extends GroupCommand
{
}
