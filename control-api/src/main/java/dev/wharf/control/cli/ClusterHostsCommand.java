package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ClusterHost;
import dev.wharf.control.api.v1.ListHostsRequest;
import dev.wharf.control.api.v1.ListHostsResponse;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;

/** {@code wharf cluster hosts}: the hosts registered in the cluster store. */
@Command(
    name = "hosts",
    mixinStandardHelpOptions = true,
    description = "List the hosts registered in the cluster store (live leases), this host first: underlay address, version, lease, endpoints.",
    footer = {"", "Example:", "  wharf cluster hosts", "  wharf cluster hosts --json | jq -r '.hosts[].record.underlay'"})
final class ClusterHostsCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListHostsResponse response = client.cluster().listHosts(ListHostsRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("HOST", "UNDERLAY", "VERSION", "LEASE", "ENDPOINTS", "REGISTERED");
        for (final ClusterHost host : response.getHostsList())
        {
            table.row(host.getRecord().getHost() + (host.getSelf() ? " (this host)" : ""), host.getRecord().getUnderlay(),
                host.getRecord().getVersion(), host.getLease(), host.getEndpoints(),
                Instant.ofEpochMilli(host.getRecord().getRegisteredUnixMs()).toString());
        }
        table.print(out());
    }
}
