package dev.wharf.control.cli;

import dev.wharf.control.api.v1.Backend;
import dev.wharf.control.api.v1.ListServicesRequest;
import dev.wharf.control.api.v1.ListServicesResponse;
import dev.wharf.control.api.v1.VirtualService;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf lb ls}: a row per backend (a service without backends gets one row of its own), as ipvsadm -Ln --stats. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = {"List the virtual services and their backends: weight, state, health (with the failing probe's",
        "reason), connections tracked now (CONNS) and new connections scheduled to each since it was added (SCHEDULED)."},
    footer = {"", "Example:", "  wharf lb ls", "  wharf lb ls --json | jq -r '.services[].backends[].connections'"})
final class LbListCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListServicesResponse response = client.lb().list(ListServicesRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Table table = new Table("SERVICE", "NAME", "SCHEDULER", "BACKEND", "WEIGHT", "STATE", "HEALTH", "CONNS", "SCHEDULED");
        // the scheduler column names persistence too, as ipvsadm's "rr persistent 300"
        for (final VirtualService service : response.getServicesList())
        {
            final String address = address(service);
            final String name = service.getName().isEmpty() ? "-" : service.getName();
            final String scheduler = service.getScheduler() + (service.getPersistent() > 0 ? " persistent " + service.getPersistent() : "");
            if (service.getBackendsCount() == 0)
            {
                table.row(address, name, scheduler, "-", "-", "-", "-", "-", "-");
            }
            for (final Backend backend : service.getBackendsList())
            {
                final String state = backend.getState().equals("draining") ?
                    "draining " + (backend.getDrainEndsInMs() + 999) / 1000 + "s" : backend.getState();
                final String health = backend.getHealth().isEmpty() ? "-" :
                    backend.getHealth().equals("up") ? "up" : "down (" + backend.getHealthReason() + ")";
                table.row(address, name, scheduler, backend.getAddress() + ":" + backend.getPort(), Integer.toString(backend.getWeight()),
                    state, health, Long.toString(backend.getConnections()), Long.toString(backend.getScheduled()));
            }
        }
        table.print(out());
    }

    static String address(final VirtualService service)
    {
        return service.getAddress().getVip() + ":" + service.getAddress().getPort() + "/" + service.getAddress().getProtocol();
    }

    /** One line for the verbs that print a service: its address, scheduler and backends. */
    static String serviceText(final VirtualService service)
    {
        final StringBuilder text = new StringBuilder(address(service)).append(' ').append(service.getScheduler());
        for (final Backend backend : service.getBackendsList())
        {
            text.append(' ').append(backend.getAddress()).append(':').append(backend.getPort()).append(" weight ").append(backend.getWeight());
            if (backend.getState().equals("draining"))
            {
                text.append(" draining");
            }
        }
        return text.toString();
    }
}
