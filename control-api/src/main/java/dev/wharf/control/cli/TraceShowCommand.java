package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ShowTraceRequest;
import dev.wharf.control.api.v1.ShowTraceResponse;
import dev.wharf.control.api.v1.TraceStatus;
import dev.wharf.control.api.v1.TraceStep;
import dev.wharf.control.api.v1.TracedPacket;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code wharf trace show}: each traced packet's path, laid out as VPP's {@code show trace} does: a
 * header line per packet, then per node its decision and the headers it saw (and wrote).
 */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {"Show the packets traced so far: for each, the worker and the port it came in on, then",
        "every node it visited with its decision (-> next node, drop: reason, done, out port P), what else",
        "the node decided (ip4-nat-in: a new connection's virtual service, scheduler and backend), and the",
        "headers as the node saw them, and after it when the node rewrote them."},
    footer = {"", "Example:", "  wharf trace show", "  wharf trace show --json | jq '.packets[].steps[].node'"})
final class TraceShowCommand extends ClientCommand
{
    private static final String STEP_INDENT = "  ";
    private static final String HEADER_INDENT = "      ";

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ShowTraceResponse response = client.trace().show(ShowTraceRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        print(response, out());
    }

    static void print(final ShowTraceResponse response, final PrintWriter out)
    {
        out.println(summary(response.getTrace()));
        for (final TracedPacket packet : response.getPacketsList())
        {
            out.println();
            out.println("Packet " + packet.getNumber() + ": worker " + packet.getWorker() + ", in " + packet.getPort() +
                ", +" + String.format(Locale.ROOT, "%.3f", packet.getElapsedNs() / 1e6) + " ms");
            for (final TraceStep step : packet.getStepsList())
            {
                out.println(STEP_INDENT + step.getNode() + ": " + step.getDecision());
                if (!step.getDetail().isEmpty())
                {
                    out.println(HEADER_INDENT + step.getDetail());
                }
                if (step.getAfter().isEmpty())
                {
                    out.println(HEADER_INDENT + step.getBefore());
                }
                else
                {
                    out.println(HEADER_INDENT + "before: " + step.getBefore());
                    out.println(HEADER_INDENT + "after:  " + step.getAfter());
                }
            }
        }
        out.flush();
    }

    /** One line saying where the trace stands. */
    static String summary(final TraceStatus trace)
    {
        final String where = trace.getPort().isEmpty() ? "any port" : "port " + trace.getPort();
        final String recorded = trace.getRecorded() + " of " + trace.getCount() + " packets recorded (" + where + ")";
        return switch (trace.getState())
        {
            case TRACE_STATE_RUNNING -> "trace running: " + recorded;
            case TRACE_STATE_FINISHED -> "trace finished: " + recorded;
            case TRACE_STATE_STOPPED -> "trace stopped: " + recorded;
            default -> "no trace started; start one with: wharf trace start";
        };
    }
}
