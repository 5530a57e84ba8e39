package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ConnectNetworksRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf network connect NETWORK OTHER}: prints both names. */
@Command(
    name = "connect",
    mixinStandardHelpOptions = true,
    description = "Allow routing between two networks (networks are isolated from each other by default).",
    footer = {"", "Example:", "  wharf network connect front back"})
final class NetworkConnectCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "One network.")
    String network;

    @Parameters(index = "1", paramLabel = "OTHER", description = "The other network.")
    String other;

    @Override
    protected void run(final WharfClient client)
    {
        client.networks().connect(ConnectNetworksRequest.newBuilder().setNetwork(network).setOther(other).build());
        println(network + " " + other);
    }
}
