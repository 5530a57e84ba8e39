package dev.wharf.control.cli;

import dev.wharf.control.api.v1.DetachPortRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf port detach NETWORK IFNAME}: prints the detached port's name. */
@Command(
    name = "detach",
    mixinStandardHelpOptions = true,
    description = "Detach an interface from a network; a TAP device wharf created disappears.",
    footer = {"", "Example:", "  wharf port detach front veth-c2"})
final class PortDetachCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network the port is attached to.")
    String network;

    @Parameters(index = "1", paramLabel = "IFNAME", description = "The interface name.")
    String name;

    @Override
    protected void run(final WharfClient client)
    {
        client.ports().detach(DetachPortRequest.newBuilder().setNetwork(network).setName(name).build());
        println(name);
    }
}
