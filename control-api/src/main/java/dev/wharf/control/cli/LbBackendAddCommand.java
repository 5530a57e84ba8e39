package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AddBackendRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf lb backend add SERVICE IP[:PORT] [--weight N]}: prints the service. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = "Add a backend to a virtual service; new connections reach it at once, established ones stay where they are.",
    footer = {"", "Example:", "  wharf lb backend add 10.10.0.100:80/tcp 10.10.0.11:8080 --weight 2"})
final class LbBackendAddCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "VIP:PORT[/PROTO]", description = "The service.")
    String service;

    @Parameters(index = "1", paramLabel = "IP[:PORT]", description = "The backend; its port is the service's unless given.")
    String backend;

    @Option(names = "--weight", paramLabel = "N", defaultValue = "1", description = "0..65535 (default: ${DEFAULT-VALUE}); 0 takes no new connections.")
    long weight;

    @Override
    protected void run(final WharfClient client)
    {
        final HostPortArgument target = HostPortArgument.backend(backend);
        println(LbListCommand.serviceText(client.lb().addBackend(AddBackendRequest.newBuilder()
            .setService(HostPortArgument.service(service).serviceAddress())
            .setAddress(target.ip()).setPort(target.portField()).setWeight(LbBackendSetCommand.weightField(weight)).build()).getService()));
    }
}
