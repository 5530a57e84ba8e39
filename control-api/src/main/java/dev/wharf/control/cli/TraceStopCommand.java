package dev.wharf.control.cli;

import dev.wharf.control.api.v1.StopTraceRequest;
import dev.wharf.control.api.v1.TraceStatus;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;

/** {@code wharf trace stop}: stops tracing; the records stay for {@code trace show}. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop tracing before N packets came; what was recorded stays for 'wharf trace show'.",
    footer = {"", "Example:", "  wharf trace stop"})
final class TraceStopCommand extends ClientCommand
{
    @Override
    protected void run(final WharfClient client)
    {
        final TraceStatus trace = client.trace().stop(StopTraceRequest.getDefaultInstance()).getTrace();
        println(TraceShowCommand.summary(trace));
    }
}
