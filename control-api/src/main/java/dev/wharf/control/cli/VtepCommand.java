package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf vtep}: groups the VTEP verbs of overlay networks. */
@Command(
    name = "vtep",
    mixinStandardHelpOptions = true,
    description = {"Add, remove and list an overlay network's remote tunnel endpoints (VTEPs): the hosts its broadcasts",
        "are replicated to, and the remote endpoints (MAC, IP) behind each, answered for locally (proxy ARP)."},
    subcommands = {VtepAddCommand.class, VtepRemoveCommand.class, VtepListCommand.class},
    footer = {"", "Example:", "  wharf vtep add ov 10.200.0.2", "  wharf vtep add ov 10.200.0.2 --mac 02:42:0a:32:00:03 --ip 10.50.0.3",
        "  wharf vtep ls ov"})
final class VtepCommand extends GroupCommand
{
}
