package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ListPublishRequest;
import dev.wharf.control.api.v1.ListPublishResponse;
import dev.wharf.control.api.v1.PublishedPort;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf publish ls}: one row per published port. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List published ports.",
    footer = {"", "Example:", "  wharf publish ls", "  wharf publish ls --json | jq -r '.published[].hostPort'"})
final class PublishListCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListPublishResponse response = client.publish().list(ListPublishRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("NETWORK", "HOST", "PROTO", "CONTAINER");
        for (final PublishedPort port : response.getPublishedList())
        {
            table.row(port.getNetwork(), port.getHostIp() + ":" + port.getHostPort(), port.getProtocol(),
                port.getContainerIp() + ":" + port.getContainerPort());
        }
        table.print(out());
    }

    /** {@code [HOSTIP:]HOSTPORT/PROTO} as the CLI takes it back. */
    static String hostSide(final PublishedPort port)
    {
        return ("0.0.0.0".equals(port.getHostIp()) ? "" : port.getHostIp() + ":") + port.getHostPort() + "/" + port.getProtocol();
    }
}
