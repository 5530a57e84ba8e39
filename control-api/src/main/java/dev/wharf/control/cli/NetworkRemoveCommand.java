package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveNetworkRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf network rm NAME}: prints the removed network's name. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Remove a network; its ports must be detached first.",
    footer = {"", "Example:", "  wharf network rm back"})
final class NetworkRemoveCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.")
    String name;

    @Override
    protected void run(final WharfClient client)
    {
        client.networks().remove(RemoveNetworkRequest.newBuilder().setName(name).build());
        println(name);
    }
}
