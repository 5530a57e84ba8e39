package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf lb}: groups the load balancer's verbs. */
@Command(
    name = "lb",
    mixinStandardHelpOptions = true,
    description = {"Add, remove and list virtual services (IPVS's): connections to a VIP, port and protocol are",
        "spread over backends by a scheduler and translated to them; replies come back from the VIP."},
    subcommands = {LbAddCommand.class, LbRemoveCommand.class, LbListCommand.class, LbBackendCommand.class, LbHealthCommand.class},
    footer = {"", "Example:", "  wharf lb add 10.10.0.100:80/tcp --scheduler mh --name web",
        "  wharf lb backend add 10.10.0.100:80/tcp 10.10.0.11:8080 --weight 2", "  wharf lb ls"})
final class LbCommand extends GroupCommand
{
}
