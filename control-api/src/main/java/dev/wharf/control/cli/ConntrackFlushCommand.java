package dev.wharf.control.cli;

import dev.wharf.control.api.v1.FlushConnectionsRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;

/** {@code wharf conntrack flush}: prints how many connections were forgotten. */
@Command(
    name = "flush",
    mixinStandardHelpOptions = true,
    description = "Forget every tracked connection (published ports and masquerade set up new ones from the next packet).",
    footer = {"", "Example:", "  wharf conntrack flush"})
final class ConntrackFlushCommand extends ClientCommand
{
    @Override
    protected void run(final WharfClient client)
    {
        println(Long.toUnsignedString(client.conntrack().flush(FlushConnectionsRequest.getDefaultInstance()).getFlushed()));
    }
}
