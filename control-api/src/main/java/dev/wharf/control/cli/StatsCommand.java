package dev.wharf.control.cli;

import dev.wharf.control.api.v1.Counter;
import dev.wharf.control.api.v1.GetStatsRequest;
import dev.wharf.control.api.v1.GetStatsResponse;
import dev.wharf.control.api.v1.PortStats;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code wharf stats}: per-port traffic, then every non-zero drop reason, then every non-zero event counter. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {"Show per-port traffic and drops, and every non-zero dataplane counter.",
        "RX DROPS: received frames the pipeline dropped (by reason in the counters below).",
        "KERNEL DROPS: frames the kernel dropped before the switch received them (a full",
        "AF_PACKET receive ring; always 0 on TAP ports).",
        "DROPS: packets dropped, by node.reason (e.g. ethernet-input.runt); EVENTS: what",
        "nodes counted that is not a drop (e.g. arp-input.replied). Both summed over the workers."},
    footer = {"", "Example:", "  wharf stats", "  wharf stats --json | jq '.counters'"})
final class StatsCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final GetStatsResponse response = client.stats().get(GetStatsRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table ports = new Table("PORT", "NETWORK", "RX PACKETS", "RX BYTES", "TX PACKETS", "TX BYTES", "RX DROPS", "TX DROPS",
            "KERNEL DROPS");
        for (final PortStats port : response.getPortsList())
        {
            ports.row(port.getName(), port.getNetwork(), port.getRxPackets(), port.getRxBytes(), port.getTxPackets(),
                port.getTxBytes(), port.getRxDrops(), port.getTxDrops(), port.getRxKernelDrops());
        }
        final PrintWriter out = out();
        ports.print(out);
        out.println();
        final Table drops = new Table("DROPS", "PACKETS");
        final Table events = new Table("EVENTS", "COUNT");
        for (final Counter counter : response.getCountersList())
        {
            (counter.getKind().equals("event") ? events : drops).row(counter.getName(), counter.getValue());
        }
        drops.print(out);
        out.println();
        events.print(out);
        if (response.getWorkerErrors() != 0)
        {
            out.println();
            out.println("worker errors: " + response.getWorkerErrors());
            out.flush();
        }
    }
}
