package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf trace}: groups the packet-trace verbs. */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = {"Trace packets through the switch's node graph: every node a packet visits, what it",
        "decided, and the headers before and after each rewrite (like VPP's trace add / show trace)."},
    subcommands = {TraceStartCommand.class, TraceShowCommand.class, TraceStopCommand.class},
    footer = {"", "Example:", "  wharf trace start --port veth-c1 --count 4", "  wharf trace show"})
final class TraceCommand extends GroupCommand
{
}
