package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ConntrackFailure;
import dev.wharf.control.api.v1.ConntrackStatsRequest;
import dev.wharf.control.api.v1.ConntrackStatsResponse;
import dev.wharf.control.api.v1.Counter;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code wharf conntrack stats}: the table's fill, the NAT nodes' counters, and the latest failures. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {"Show the connection table's fill, the NAT nodes' counters by reason (table full, early drops,",
        "ports exhausted, denied by rule, ...) and the latest connections that failed, with their tuples."},
    footer = {"", "Example:", "  wharf conntrack stats", "  wharf conntrack stats --json | jq '.counters'"})
final class ConntrackStatsCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ConntrackStatsResponse response = client.conntrack().stats(ConntrackStatsRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final PrintWriter out = out();
        out.println("Connections:  " + Long.toUnsignedString(response.getCount()) + " of " + Long.toUnsignedString(response.getMax()));
        out.println();
        final Table counters = new Table("COUNTER", "VALUE");
        for (final Counter counter : response.getCountersList())
        {
            counters.row(counter.getName(), Long.toUnsignedString(counter.getValue()));
        }
        counters.print(out);
        if (response.getFailuresCount() > 0)
        {
            out.println();
            final Table failures = new Table("REASON", "AGE", "PROTO", "SOURCE", "DESTINATION");
            for (final ConntrackFailure f : response.getFailuresList())
            {
                failures.row(f.getReason(), (f.getAgeMs() / 1000) + "s", f.getProtocol(), f.getSource() + ":" + f.getSourcePort(),
                    f.getDestination() + ":" + f.getDestinationPort());
            }
            failures.print(out);
        }
        out.flush();
    }
}
