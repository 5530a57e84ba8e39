package dev.wharf.control.cli;

import dev.wharf.control.api.v1.FdbEntry;
import dev.wharf.control.api.v1.FdbEntryType;
import dev.wharf.control.api.v1.ShowFdbRequest;
import dev.wharf.control.api.v1.ShowFdbResponse;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf fdb show NETWORK}: one row per forwarding entry. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Show a network's forwarding database: MAC, VLAN, port, static or learned, age.",
    footer = {"", "Example:", "  wharf fdb show front", "  wharf fdb show front --json"})
final class FdbShowCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network's name.")
    String network;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ShowFdbResponse response = client.fdb().show(ShowFdbRequest.newBuilder().setNetwork(network).build());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final boolean overlay = response.getEntriesList().stream().anyMatch(e -> !e.getVtep().isEmpty());
        final Table table = overlay ? new Table("MAC", "VLAN", "PORT", "VTEP", "TYPE", "AGE") : new Table("MAC", "VLAN", "PORT", "TYPE", "AGE");
        for (final FdbEntry entry : response.getEntriesList())
        {
            final boolean isStatic = entry.getType() == FdbEntryType.FDB_ENTRY_TYPE_STATIC;
            final String type = isStatic ? "static" : "learned";
            final String age = isStatic ? "-" : age(entry.getAgeMs());
            if (overlay)
            {
                table.row(entry.getMac(), entry.getVlan(), entry.getPort(), entry.getVtep().isEmpty() ? "-" : entry.getVtep(), type, age);
            }
            else
            {
                table.row(entry.getMac(), entry.getVlan(), entry.getPort(), type, age);
            }
        }
        table.print(out());
    }

    static String age(final long ms)
    {
        final long seconds = ms / 1000;
        if (seconds < 60)
        {
            return seconds + "s";
        }
        if (seconds < 3600)
        {
            return (seconds / 60) + "m" + (seconds % 60) + "s";
        }
        return (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m";
    }
}
