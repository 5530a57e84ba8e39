package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveBackendRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(s|m|h)?");

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

    /** "30s", "5m", "1h" or plain seconds. */
    static int seconds(final String text)
    {
        final Matcher m = DURATION.matcher(text);
        if (!m.matches())
        {
            throw new CliFailure(ExitCodes.USAGE, "invalid drain time \"" + text + "\": expected seconds or 30s, 5m, 1h");
        }
        final long unit = m.group(2) == null || m.group(2).equals("s") ? 1 : m.group(2).equals("m") ? 60 : 3600;
        return (int)Math.min(Long.parseLong(m.group(1)) * unit, Integer.MAX_VALUE);
    }
}
