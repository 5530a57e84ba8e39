package dev.wharf.control.cli;

import dev.wharf.control.api.v1.StartTraceRequest;
import dev.wharf.control.api.v1.StartTraceResponse;
import dev.wharf.control.api.v1.TraceStatus;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf trace start [--port P] [--count N]}: prints what is being traced. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {"Trace the next N packets received on a port (or on any port). Replaces the previous",
        "trace and its records. Tracing costs nothing until started and stops by itself after N packets."},
    footer = {"", "Example:", "  wharf trace start --port veth-c1 --count 4", "  wharf trace start"})
final class TraceStartCommand extends ClientCommand
{
    static final int COUNT_MAX = 10_000;

    @Option(names = "--port", paramLabel = "IFNAME", description = "Only packets received on this port, the uplink's too (default: every port).")
    String port = "";

    @Option(names = "--count", paramLabel = "N", description = "Packets to trace, 1..10000 (default: ${DEFAULT-VALUE}).")
    int count = 10;

    @Override
    protected void run(final WharfClient client)
    {
        if (count < 1 || count > COUNT_MAX)
        {
            // checked here too: 0 would mean "the default" to the API
            throw new CliFailure(ExitCodes.USAGE, "trace count " + count + " is out of range 1.." + COUNT_MAX);
        }
        final StartTraceResponse response = client.trace().start(StartTraceRequest.newBuilder().setPort(port).setCount(count).build());
        println(describe(response.getTrace()));
    }

    static String describe(final TraceStatus trace)
    {
        return "tracing the next " + trace.getCount() + (trace.getCount() == 1 ? " packet" : " packets") + " received on " +
            (trace.getPort().isEmpty() ? "any port" : trace.getPort()) + "; see them with: wharf trace show";
    }
}
