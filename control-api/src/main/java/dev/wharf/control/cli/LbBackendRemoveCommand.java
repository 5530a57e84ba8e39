package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveBackendRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf lb backend rm SERVICE IP[:PORT] [--drain 30s]}: prints the service. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = {"Remove a backend: it gets no new connections; its UDP flows move to other backends at once; its TCP",
        "connections end with a reset after --drain (at once by default), so clients fail fast instead of hanging."},
    footer = {"", "Example:", "  wharf lb backend rm 10.10.0.100:80/tcp 10.10.0.12:8080 --drain 30s"})
final class LbBackendRemoveCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "VIP:PORT[/PROTO]", description = "The service.")
    String service;

    @Parameters(index = "1", paramLabel = "IP[:PORT]", description = "The backend.")
    String backend;

    @Option(names = "--drain", paramLabel = "TIME", defaultValue = "0", description = "How long its TCP connections may go on: 30s, 5m, 1h (default: at once).")
    String drain;

    @Override
    protected void run(final WharfClient client)
    {
        final HostPortArgument target = HostPortArgument.backend(backend);
        println(LbListCommand.serviceText(client.lb().removeBackend(RemoveBackendRequest.newBuilder()
            .setService(HostPortArgument.service(service).serviceAddress())
            .setAddress(target.ip()).setPort(target.portField()).setDrainSeconds(seconds(drain)).build()).getService()));
    }

    /** "30s", "5m", "1h" or plain seconds, rounded up to whole seconds. */
    static int seconds(final String text)
    {
        return (int)((DurationArgument.millis(text, "drain time") + 999L) / 1000);
    }
}
