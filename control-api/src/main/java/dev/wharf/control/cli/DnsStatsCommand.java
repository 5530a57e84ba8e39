package dev.wharf.control.cli;

import dev.wharf.control.api.v1.DnsCounter;
import dev.wharf.control.api.v1.GetDnsStatsRequest;
import dev.wharf.control.api.v1.GetDnsStatsResponse;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf dns stats}: the DNS servers' counters. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show the DNS servers' counters: queries, local answers, forwarded, cache hits, and drops by reason.",
    footer = {"", "Example:", "  wharf dns stats", "  wharf dns stats --json | jq '.counters[] | select(.name == \"rate-limited\")'"})
final class DnsStatsCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final GetDnsStatsResponse response = client.dns().getStats(GetDnsStatsRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("COUNTER", "VALUE");
        for (final DnsCounter counter : response.getCountersList())
        {
            table.row(counter.getName(), counter.getValue());
        }
        table.row("cached-answers", response.getCachedAnswers());
        table.print(out());
    }
}
