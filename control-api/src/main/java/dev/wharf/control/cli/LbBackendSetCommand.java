package dev.wharf.control.cli;

import dev.wharf.control.api.v1.SetBackendRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf lb backend set SERVICE IP[:PORT] --weight N}: prints the service. */
@Command(
    name = "set",
    mixinStandardHelpOptions = true,
    description = {"Change a backend's weight. Weight 0 quiesces it: no new connections, its established ones stay",
        "(IPVS's way to take a backend out gently)."},
    footer = {"", "Example:", "  wharf lb backend set 10.10.0.100:80/tcp 10.10.0.11:8080 --weight 0"})
final class LbBackendSetCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "VIP:PORT[/PROTO]", description = "The service.")
    String service;

    @Parameters(index = "1", paramLabel = "IP[:PORT]", description = "The backend.")
    String backend;

    @Option(names = "--weight", paramLabel = "N", required = true, description = "0..65535.")
    long weight;

    @Override
    protected void run(final WharfClient client)
    {
        final HostPortArgument target = HostPortArgument.backend(backend);
        println(LbListCommand.serviceText(client.lb().setBackend(SetBackendRequest.newBuilder()
            .setService(HostPortArgument.service(service).serviceAddress())
            .setAddress(target.ip()).setPort(target.portField()).setWeight(weightField(weight)).build()).getService()));
    }

    /** A weight as the API's uint32: out of range stays out of range, for the daemon to refuse with its message. */
    static int weightField(final long weight)
    {
        if (weight < 0)
        {
            throw new CliFailure(ExitCodes.USAGE, "weight must be 0..65535: " + weight);
        }
        return (int)Math.min(weight, 0xFFFF_FFFFL);
    }
}
