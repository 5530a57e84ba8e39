package dev.wharf.control.cli;

import dev.wharf.control.api.v1.CountConnectionsRequest;
import dev.wharf.control.api.v1.CountConnectionsResponse;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf conntrack count}: prints the number of tracked connections. */
@Command(
    name = "count",
    mixinStandardHelpOptions = true,
    description = "Print how many connections are tracked (with --json, the table's size too).",
    footer = {"", "Example:", "  wharf conntrack count"})
final class ConntrackCountCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON: count and max.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final CountConnectionsResponse response = client.conntrack().count(CountConnectionsRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        println(Long.toUnsignedString(response.getCount()));
    }
}
