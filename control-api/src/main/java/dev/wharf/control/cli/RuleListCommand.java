package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ListRulesRequest;
import dev.wharf.control.api.v1.ListRulesResponse;
import dev.wharf.control.api.v1.Rule;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf rule ls}: the rules in the order they are checked. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List rules in the order they are checked.",
    footer = {"", "Example:", "  wharf rule ls", "  wharf rule ls --json"})
final class RuleListCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListRulesResponse response = client.rules().list(ListRulesRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("ID", "ACTION", "SOURCE", "DESTINATION", "PROTO", "PORTS");
        for (final Rule rule : response.getRulesList())
        {
            table.row(Long.toUnsignedString(rule.getId()), rule.getAction(), rule.getSource(), rule.getDestination(), rule.getProtocol(),
                rule.getDestinationPorts());
        }
        table.print(out());
    }
}
