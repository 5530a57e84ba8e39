package dev.wharf.control.cli;

import picocli.CommandLine.Command;

/** {@code wharf rule}: groups the user-rule verbs. */
@Command(
    name = "rule",
    mixinStandardHelpOptions = true,
    description = "Allow, deny or reject new connections by address, protocol and port, checked in order; routed and within a network.",
    subcommands = {RuleAddCommand.class, RuleListCommand.class, RuleRemoveCommand.class},
    footer = {"", "Example:", "  wharf rule add deny --src 10.10.0.0/24 --proto tcp --dport 25", "  wharf rule ls", "  wharf rule rm 1"})
final class RuleCommand extends GroupCommand
{
}
