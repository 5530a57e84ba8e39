package dev.wharf.control.cli;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf network create NAME --subnet CIDR}: prints the new network's name. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = "Create a network: an L2 segment with an IPv4 subnet and a gateway the switch answers for.",
    footer = {"", "Example:", "  wharf network create front --subnet 10.10.0.0/24",
        "  wharf network create back --subnet 10.20.0.0/24 --gateway 10.20.0.254 --mac-limit 64"})
final class NetworkCreateCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The network's name (letters, digits, '_', '.', '-').")
    String name;

    @Option(names = "--subnet", required = true, paramLabel = "CIDR", description = "IPv4 subnet, e.g. 10.10.0.0/24.")
    String subnet;

    @Option(names = "--gateway", paramLabel = "IP", description = "Gateway address (default: the subnet's first address).")
    String gateway;

    @Option(names = "--mac-limit", paramLabel = "N", description = "Most MACs each port may learn (default: the daemon's).")
    int macLimit;

    @Override
    protected void run(final WharfClient client)
    {
        final CreateNetworkRequest.Builder request = CreateNetworkRequest.newBuilder()
            .setName(name)
            .setSubnet(subnet)
            .setMacLimit(macLimit);
        if (gateway != null)
        {
            request.setGateway(gateway);
        }
        println(client.networks().create(request.build()).getNetwork().getName());
    }
}
