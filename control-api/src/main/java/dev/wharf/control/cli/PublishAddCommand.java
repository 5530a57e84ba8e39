package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AddPublishRequest;
import dev.wharf.control.api.v1.AddPublishResponse;
import dev.wharf.control.api.v1.PublishedPort;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf publish add NETWORK IP[:PORT] -p [HOSTIP:]HOSTPORT[:CONTAINERPORT][/PROTO]}, ports or ranges: prints what
 * was published, one line per port. A range is published by the daemon all or nothing, and kept as one published port per
 * host port (so {@code publish ls} lists and {@code publish rm} removes each on its own).
 */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {"Publish a container's port: new connections to the host port (on the uplink address and every gateway,",
        "or only on HOSTIP) go to the container. Containers of the same network reach it on the uplink address too (hairpin)."},
    footer = {"", "The container port may be given after the IP or in -p as Docker writes it (8080:80), not both differently;",
        "given nowhere, it is the host port. A range (8093-8095, 8093-8095:93-95) maps each host port to one container port",
        "and is published all or nothing, as one published port per host port.",
        "", "Example:", "  wharf publish add front 10.10.0.3:80 -p 8080/tcp",
        "  wharf publish add front 10.10.0.3 -p 8080:80",
        "  wharf publish add front 10.10.0.3 -p 8093-8095:93-95",
        "  wharf publish add front 10.10.0.4:53 -p 10.99.0.2:5353/udp"})
final class PublishAddCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The container's network.")
    String network;

    @Parameters(index = "1", paramLabel = "IP[:PORT]", description = "The container's address and port (or ports, 93-95).")
    String container;

    @Option(names = {"-p", "--publish"}, required = true, paramLabel = "[HOSTIP:]HOSTPORT[:CONTAINERPORT][/PROTO]",
        description = "The host port or range, optionally bound to one host address (default: all), the container port as Docker's -p takes it, and tcp (default) or udp.")
    String published;

    @Override
    protected void run(final WharfClient client)
    {
        final PublishArgument argument = PublishArgument.parse(container, published);
        final AddPublishResponse done = client.publish().add(AddPublishRequest.newBuilder()
            .setNetwork(network)
            .setContainerIp(argument.containerIp())
            .setContainerPort(PublishArgument.field(argument.containerPort()))
            .setHostIp(argument.hostIp())
            .setHostPort(PublishArgument.field(argument.hostPort()))
            .setProtocol(argument.protocol())
            .setCount(argument.count())
            .build());
        for (final PublishedPort port : done.getAllList())
        {
            println(PublishListCommand.hostSide(port) + " -> " + port.getContainerIp() + ":" + port.getContainerPort());
        }
    }
}
