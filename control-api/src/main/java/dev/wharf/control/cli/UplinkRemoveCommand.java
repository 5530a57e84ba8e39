package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveUplinkRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;

/** {@code wharf uplink rm}: detaches the uplink. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = {"Remove the uplink; ports published on its address must be removed first. Connections masqueraded",
        "to its address end, as Linux's MASQUERADE forgets an address that goes: a TCP client gets a reset at its next",
        "segment instead of waiting out its timeout; set the uplink again (with a new address) for new connections."},
    footer = {"", "Example:", "  wharf uplink rm"})
final class UplinkRemoveCommand extends ClientCommand
{
    @Override
    protected void run(final WharfClient client)
    {
        client.uplink().remove(RemoveUplinkRequest.getDefaultInstance());
    }
}
