package dev.wharf.control.cli;

import dev.wharf.control.api.v1.PublishedPort;
import dev.wharf.control.api.v1.RemovePublishRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf publish rm NETWORK [HOSTIP:]HOSTPORT[/PROTO]}: prints what was removed. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Stop publishing a port; connections already set up keep going until they end.",
    footer = {"", "Example:", "  wharf publish rm front 8080/tcp", "  wharf publish rm front 10.99.0.2:5353/udp"})
final class PublishRemoveCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The container's network.")
    String network;

    @Parameters(index = "1", paramLabel = "[HOSTIP:]HOSTPORT[/PROTO]", description = "The published port (protocol tcp unless given).")
    String published;

    @Override
    protected void run(final WharfClient client)
    {
        final HostPortArgument host = HostPortArgument.published(published);
        final PublishedPort removed = client.publish().remove(RemovePublishRequest.newBuilder()
            .setNetwork(network)
            .setHostIp(host.ip())
            .setHostPort(host.portField())
            .setProtocol(host.protocol())
            .build()).getRemoved();
        println(PublishListCommand.hostSide(removed));
    }
}
