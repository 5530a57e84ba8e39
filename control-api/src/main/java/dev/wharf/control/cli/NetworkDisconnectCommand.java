package dev.wharf.control.cli;

import dev.wharf.control.api.v1.DisconnectNetworksRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf network disconnect NETWORK OTHER}: prints both names. */
@Command(
    name = "disconnect",
    mixinStandardHelpOptions = true,
    description = "Isolate two connected networks again.",
    footer = {"", "Example:", "  wharf network disconnect front back"})
final class NetworkDisconnectCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "One network.")
    String network;

    @Parameters(index = "1", paramLabel = "OTHER", description = "The other network.")
    String other;

    @Override
    protected void run(final WharfClient client)
    {
        client.networks().disconnect(DisconnectNetworksRequest.newBuilder().setNetwork(network).setOther(other).build());
        println(network + " " + other);
    }
}
