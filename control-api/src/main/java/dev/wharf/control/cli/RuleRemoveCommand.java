package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveRuleRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf rule rm ID}: prints the removed rule's id. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Remove a rule by its id (see wharf rule ls).",
    footer = {"", "Example:", "  wharf rule rm 3"})
final class RuleRemoveCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "ID", description = "The rule's id.")
    long id;

    @Override
    protected void run(final WharfClient client)
    {
        if (id < 1)
        {
            throw new CliFailure(ExitCodes.USAGE, "rule id must be 1 or more: " + id);
        }
        client.rules().remove(RemoveRuleRequest.newBuilder().setId(id).build());
        println(Long.toString(id));
    }
}
