package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.api.v1.ListNetworksResponse;
import dev.wharf.control.api.v1.Network;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf network ls}: one row per network. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List networks.",
    footer = {"", "Example:", "  wharf network ls", "  wharf network ls --json | jq -r '.networks[].name'"})
final class NetworkListCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListNetworksResponse response = client.networks().list(ListNetworksRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("NAME", "SUBNET", "GATEWAY", "GATEWAY MAC", "PORTS", "INTERNAL", "ICC", "MASQUERADE", "DRIVER", "CONNECTED");
        for (final Network network : response.getNetworksList())
        {
            table.row(network.getName(), network.getSubnet(), network.getGateway(), network.getGatewayMac(), network.getPortCount(),
                network.getInternal(), network.getIcc(), network.getMasquerade(), network.getDriver(), String.join(",", network.getConnectionsList()));
        }
        table.print(out());
    }
}
