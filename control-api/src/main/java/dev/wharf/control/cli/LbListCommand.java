package dev.wharf.control.cli;

import dev.wharf.control.api.v1.Backend;
import dev.wharf.control.api.v1.ListServicesRequest;
import dev.wharf.control.api.v1.ListServicesResponse;
import dev.wharf.control.api.v1.TrafficRates;
import dev.wharf.control.api.v1.TrafficStats;
import dev.wharf.control.api.v1.VirtualService;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code wharf lb ls}: a row per backend (a service without backends gets one row of its own); with
 * {@code --stats} or {@code --rate} a row per service (its totals, BACKEND "all") and one per backend, as
 * {@code ipvsadm -Ln --stats} and {@code --rate}.
 */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = {"List the virtual services and their backends: weight, state, health (with the failing probe's",
        "reason), connections tracked now (CONNS) and new connections scheduled to each since it was added (SCHEDULED).",
        "With --stats or --rate (or both), as ipvsadm -Ln --stats and --rate: a row of totals per service",
        "(BACKEND all: its backends' and those removed since), then a row per backend."},
    footer = {"", "--stats: CONNS new connections scheduled, ACTIVE (TCP established) and INACTIVE connections",
        "tracked now, INPKTS/INBYTES client to backend, OUTPKTS/OUTBYTES backend to client (none with",
        "--mode dsr); bytes from the IP header on.",
        "--rate: per second over the last 2-second interval: CPS connections, INPPS/OUTPPS packets,",
        "INBPS/OUTBPS bytes. --json always holds every count and rate (stats, rates).",
        "", "Example:", "  wharf lb ls", "  wharf lb ls --stats", "  wharf lb ls --json | jq -r '.services[].backends[].connections'",
        "  wharf lb ls --json | jq -r '.services[] | .stats.packetsIn'"})
final class LbListCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--stats", description = "Counts: connections scheduled, active and inactive, packets and bytes in and out.")
    boolean stats;

    @Option(names = "--rate", description = "Rates per second: connections, packets and bytes in and out.")
    boolean rate;

    @Override
    protected void run(final WharfClient client)
    {
        final ListServicesResponse response = client.lb().list(ListServicesRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        if (stats || rate)
        {
            traffic(response);
            return;
        }
        final Table table = new Table("SERVICE", "NAME", "SCHEDULER", "BACKEND", "WEIGHT", "STATE", "HEALTH", "CONNS", "SCHEDULED");
        // the scheduler column names persistence too, as ipvsadm's "rr persistent 300"
        for (final VirtualService service : response.getServicesList())
        {
            final String address = address(service);
            final String name = service.getName().isEmpty() ? "-" : service.getName();
            final String scheduler = scheduler(service);
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

    /** The --stats and --rate table: a row of totals per service, then one per backend. */
    private void traffic(final ListServicesResponse response)
    {
        final List<String> headers = new ArrayList<>(List.of("SERVICE", "NAME", "BACKEND"));
        if (stats)
        {
            headers.addAll(List.of("CONNS", "ACTIVE", "INACTIVE", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES"));
        }
        if (rate)
        {
            headers.addAll(List.of("CPS", "INPPS", "OUTPPS", "INBPS", "OUTBPS"));
        }
        final Table table = new Table(headers.toArray(new String[0]));
        for (final VirtualService service : response.getServicesList())
        {
            final String address = address(service);
            final String name = service.getName().isEmpty() ? "-" : service.getName();
            table.row(cells(address, name, "all", service.getStats(), service.getRates()));
            for (final Backend backend : service.getBackendsList())
            {
                table.row(cells(address, name, backend.getAddress() + ":" + backend.getPort(), backend.getStats(), backend.getRates()));
            }
        }
        table.print(out());
    }

    private Object[] cells(final String address, final String name, final String backend, final TrafficStats counts, final TrafficRates rates)
    {
        final List<Object> cells = new ArrayList<>(List.of(address, name, backend));
        if (stats)
        {
            cells.addAll(List.of(counts.getConnections(), counts.getActiveConnections(), counts.getInactiveConnections(),
                counts.getPacketsIn(), counts.getPacketsOut(), counts.getBytesIn(), counts.getBytesOut()));
        }
        if (rate)
        {
            cells.addAll(List.of(perSecond(rates.getConnectionsPerSecond()), perSecond(rates.getPacketsInPerSecond()),
                perSecond(rates.getPacketsOutPerSecond()), perSecond(rates.getBytesInPerSecond()), perSecond(rates.getBytesOutPerSecond())));
        }
        return cells.toArray();
    }

    private static String perSecond(final double rate)
    {
        return String.format(Locale.ROOT, "%.1f", rate);
    }

    /** The scheduler with its flags, as ipvsadm's "sh persistent 300": the port hashed too, persistence. */
    static String scheduler(final VirtualService service)
    {
        return service.getScheduler() + (service.getHashPort() ? " hash-port" : "") +
            (service.getPersistent() > 0 ? " persistent " + service.getPersistent() : "");
    }

    static String address(final VirtualService service)
    {
        return service.getAddress().getVip() + ":" + service.getAddress().getPort() + "/" + service.getAddress().getProtocol();
    }

    /** One line for the verbs that print a service: its address, scheduler and backends. */
    static String serviceText(final VirtualService service)
    {
        final StringBuilder text = new StringBuilder(address(service)).append(' ').append(scheduler(service));
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
