package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf dns}: groups the verbs of the DNS servers on the networks' gateways. */
@Command(
    name = "dns",
    mixinStandardHelpOptions = true,
    description = {"Show what the DNS server on each network's gateway answers: the network's container names and aliases",
        "(port attach --name/--alias), its service names (lb add --name), and what it forwards upstream."},
    subcommands = {DnsListCommand.class, DnsStatsCommand.class},
    footer = {"", "Example:", "  wharf dns ls front", "  ip netns exec c1 dig @10.10.0.1 web-1 +short", "  wharf dns stats"})
final class DnsCommand extends GroupCommand
{
}
