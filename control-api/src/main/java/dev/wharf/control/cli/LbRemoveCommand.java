package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveServiceRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf lb rm VIP:PORT[/PROTO]}. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Remove a virtual service; its connections end (TCP with a reset at their next segment).",
    footer = {"", "Example:", "  wharf lb rm 10.10.0.100:80/tcp"})
final class LbRemoveCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "VIP:PORT[/PROTO]", description = "The service.")
    String service;

    @Override
    protected void run(final WharfClient client)
    {
        client.lb().removeService(RemoveServiceRequest.newBuilder().setAddress(HostPortArgument.service(service).serviceAddress()).build());
    }
}
