package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveUplinkRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;

/** {@code wharf uplink rm}: detaches the uplink. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Remove the uplink; ports published on its address must be removed first.",
    footer = {"", "Example:", "  wharf uplink rm"})
final class UplinkRemoveCommand extends ClientCommand
{
    @Override
    protected void run(final WharfClient client)
    {
        client.uplink().remove(RemoveUplinkRequest.getDefaultInstance());
    }
}
