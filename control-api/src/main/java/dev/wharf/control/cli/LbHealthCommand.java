package dev.wharf.control.cli;

import dev.wharf.control.api.v1.HealthCheck;
import dev.wharf.control.api.v1.SetHealthRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf lb health SERVICE --tcp-connect | --http GET:/path | --none}: prints the service. */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = {"Check a TCP service's backends from the host (through host access), as keepalived does for IPVS: a",
        "backend that fails --fall probes in a row gets no new connections (its established ones stay) until it passes",
        "--rise in a row. lb ls shows each backend's health and the failing probe's reason."},
    footer = {"", "Example:", "  wharf lb health 10.10.0.100:80/tcp --http GET:/healthz --interval 2s --fall 3 --rise 2",
        "  wharf lb health 10.10.0.100:80/tcp --tcp-connect", "  wharf lb health 10.10.0.100:80/tcp --none"})
final class LbHealthCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "VIP:PORT[/PROTO]", description = "The service.")
    String service;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    static final class Kind
    {
        @Option(names = "--tcp-connect", description = "Healthy when a TCP connection to the backend opens.")
        boolean tcp;

        @Option(names = "--http", paramLabel = "GET:PATH", description = "Healthy when GET PATH answers 2xx or 3xx.")
        String http;

        @Option(names = "--none", description = "Remove the check: every backend is healthy again.")
        boolean none;
    }

    @Option(names = "--interval", paramLabel = "TIME", defaultValue = "2s", description = "Between probes of a backend (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "1s", description = "A probe's limit, at most the interval (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--fall", paramLabel = "N", defaultValue = "3", description = "Failures in a row that take a backend out (default: ${DEFAULT-VALUE}).")
    int fall;

    @Option(names = "--rise", paramLabel = "N", defaultValue = "2", description = "Successes in a row that bring it back (default: ${DEFAULT-VALUE}).")
    int rise;

    @Override
    protected void run(final WharfClient client)
    {
        final SetHealthRequest.Builder request = SetHealthRequest.newBuilder().setService(HostPortArgument.service(service).serviceAddress());
        if (!kind.none)
        {
            final HealthCheck.Builder check = HealthCheck.newBuilder()
                .setIntervalMs(DurationArgument.millis(interval, "interval"))
                .setTimeoutMs(DurationArgument.millis(timeout, "timeout"))
                .setFall(count(fall, "--fall"))
                .setRise(count(rise, "--rise"));
            if (kind.tcp)
            {
                check.setKind("tcp");
            }
            else
            {
                if (!kind.http.startsWith("GET:"))
                {
                    throw new CliFailure(ExitCodes.USAGE, "invalid --http \"" + kind.http + "\": expected GET:PATH, e.g. GET:/healthz");
                }
                check.setKind("http").setPath(kind.http.substring("GET:".length()));
            }
            request.setHealth(check);
        }
        println(LbListCommand.serviceText(client.lb().setHealth(request.build()).getService()));
    }

    /** A count as the API takes it (0 there means its default, which the CLI gives explicitly). */
    private static int count(final int n, final String option)
    {
        if (n < 1)
        {
            throw new CliFailure(ExitCodes.USAGE, option + " must be 1..100: " + n);
        }
        return n;
    }
}
