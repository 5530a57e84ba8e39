package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AddPublishRequest;
import dev.wharf.control.api.v1.PublishedPort;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf publish add NETWORK IP:PORT -p [HOSTIP:]HOSTPORT[/PROTO]}: prints what was published. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {"Publish a container's port: new connections to the host port (on the uplink address and every gateway,",
        "or only on HOSTIP) go to the container. Containers of the same network reach it on the uplink address too (hairpin)."},
    footer = {"", "Example:", "  wharf publish add front 10.10.0.3:80 -p 8080/tcp",
        "  wharf publish add front 10.10.0.4:53 -p 10.99.0.2:5353/udp"})
final class PublishAddCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The container's network.")
    String network;

    @Parameters(index = "1", paramLabel = "IP:PORT", description = "The container's address and port.")
    String container;

    @Option(names = {"-p", "--publish"}, required = true, paramLabel = "[HOSTIP:]HOSTPORT[/PROTO]",
        description = "The host port, optionally bound to one host address (default: all), and tcp (default) or udp.")
    String published;

    @Override
    protected void run(final WharfClient client)
    {
        final HostPortArgument target = HostPortArgument.container(container);
        final HostPortArgument host = HostPortArgument.published(published);
        final PublishedPort done = client.publish().add(AddPublishRequest.newBuilder()
            .setNetwork(network)
            .setContainerIp(target.ip())
            .setContainerPort(target.portField())
            .setHostIp(host.ip())
            .setHostPort(host.portField())
            .setProtocol(host.protocol())
            .build()).getPublished();
        println(PublishListCommand.hostSide(done) + " -> " + done.getContainerIp() + ":" + done.getContainerPort());
    }
}
