package dev.wharf.control.cli;

import dev.wharf.control.api.v1.Connection;
import dev.wharf.control.api.v1.ListConnectionsRequest;
import dev.wharf.control.api.v1.ListConnectionsResponse;
import dev.wharf.control.api.v1.Tuple;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf conntrack list}: one row per tracked connection, with its translation. */
@Command(
    name = "list",
    aliases = "ls",
    mixinStandardHelpOptions = true,
    description = {"List tracked connections: the original direction and the reply as it arrives, which shows the",
        "translation (a masqueraded connection's reply goes to the uplink address and a new port)."},
    footer = {"", "Example:", "  wharf conntrack list", "  wharf conntrack list --json --limit 100 | jq '.connections[].reply.destinationPort'"})
final class ConntrackListCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--limit", paramLabel = "N", description = "Most connections shown, 1.. (default: ${DEFAULT-VALUE}).")
    int limit = 1_000;

    @Override
    protected void run(final WharfClient client)
    {
        if (limit < 1)
        {
            throw new CliFailure(ExitCodes.USAGE, "--limit must be at least 1: " + limit);
        }
        final ListConnectionsResponse response = client.conntrack().list(ListConnectionsRequest.newBuilder().setLimit(limit).build());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("PROTO", "STATE", "ORIGINAL", "REPLY", "EXPIRES");
        for (final Connection c : response.getConnectionsList())
        {
            table.row(c.getProtocol(), c.getState() + (c.getAssured() ? " [assured]" : ""), tuple(c.getOriginal()), tuple(c.getReply()),
                (c.getExpiresInMs() / 1000) + "s");
        }
        table.print(out());
        if (response.getTotal() > response.getConnectionsCount())
        {
            println("(" + response.getConnectionsCount() + " of " + response.getTotal() + " shown; see --limit)");
        }
    }

    private static String tuple(final Tuple t)
    {
        return t.getNetwork() + " " + t.getSource() + ":" + t.getSourcePort() + " -> " + t.getDestination() + ":" + t.getDestinationPort();
    }
}
