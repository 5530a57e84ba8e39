package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveUnderlayRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;

/** {@code wharf underlay rm}: closes the underlay sockets. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Remove the underlay; overlay networks must be removed first.",
    footer = {"", "Example:", "  wharf underlay rm"})
final class UnderlayRemoveCommand extends ClientCommand
{
    @Override
    protected void run(final WharfClient client)
    {
        client.overlay().removeUnderlay(RemoveUnderlayRequest.getDefaultInstance());
    }
}
