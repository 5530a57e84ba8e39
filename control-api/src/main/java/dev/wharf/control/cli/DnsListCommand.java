package dev.wharf.control.cli;

import dev.wharf.control.api.v1.DnsName;
import dev.wharf.control.api.v1.ListNamesRequest;
import dev.wharf.control.api.v1.ListNamesResponse;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf dns ls NETWORK}: one row per name. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List the names a network's DNS server answers, what each resolves to, and where it comes from.",
    footer = {"", "Example:", "  wharf dns ls front", "  wharf dns ls front --json | jq -r '.names[].name'"})
final class DnsListCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network.")
    String network;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListNamesResponse response = client.dns().listNames(ListNamesRequest.newBuilder().setNetwork(network).build());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        println(response.getNetwork() + ": DNS server " + response.getServer() + ":53, " +
            (response.getForwards() ? "other names forwarded to " + String.join(", ", response.getUpstreamsList()) : "other names refused (not forwarded)"));
        final Table table = new Table("NAME", "KIND", "ADDRESSES", "MODE", "SOURCE");
        for (final DnsName name : response.getNamesList())
        {
            table.row(name.getName(), name.getKind(), name.getAddressesCount() == 0 ? "-" : String.join(",", name.getAddressesList()),
                name.getMode(), name.getSource());
        }
        table.print(out());
    }
}
