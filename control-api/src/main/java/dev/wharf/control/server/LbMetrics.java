package dev.wharf.control.server;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.lb.BackendView;
import dev.wharf.lb.LbStats;
import dev.wharf.lb.ServiceView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load balancer's meters per virtual service and per backend (what IPVS's exporters show):
 * connections scheduled, active and inactive connections, packets and bytes each way, and a backend's
 * health. Labelled {@code service="10.10.0.100:80/tcp"}, {@code name} (the service's label, empty when it
 * has none: every series of a name has the same labels) and, per backend, {@code backend="10.10.0.11:8080"}.
 *
 * <p>Their set follows the configuration, as the switch's per-port meters do: {@link #reconcile} runs
 * before every scrape, gives new services and backends meters, removes those of the gone ones (a scrape
 * never shows a removed backend), and copies every value from one reading of the balancer, so a scrape's
 * series and values come from one moment. A backend removed and added again between two scrapes keeps its
 * series and starts again from 0 (a counter reset, as Prometheus's rate() expects of a restart).
 *
 * <p>Thread safety: the scrape's thread only (the switch's metrics hold their lock around it).
 */
final class LbMetrics
{
    /** What a series shows, by its index into a holder's values. */
    private record Kind(String suffix, boolean counter, String help, String baseUnit)
    {
    }

    private static final List<Kind> KINDS = List.of(
        new Kind("connections", true, "New connections scheduled (since the service or backend was added)", null),
        new Kind("active.connections", false, "Connections tracked now in TCP ESTABLISHED", null),
        new Kind("inactive.connections", false, "Other connections tracked now: TCP opening or closing, and UDP flows", null),
        new Kind("in.packets", true, "Packets from clients to backends", null),
        new Kind("out.packets", true, "Packets from backends to clients (none with direct server return)", null),
        new Kind("in.bytes", true, "Bytes from clients to backends, from the IPv4 header on", BaseUnits.BYTES),
        new Kind("out.bytes", true, "Bytes from backends to clients, from the IPv4 header on", BaseUnits.BYTES));
    private static final int UP = KINDS.size();

    private final MeterRegistry registry;
    private final Map<List<String>, Series> services = new HashMap<>();
    private final Map<List<String>, Series> backends = new HashMap<>();

    /** One service's or backend's values as of the last scrape, and the meters that show them. */
    private static final class Series
    {
        final double[] values = new double[UP + 1];
        final Meter[] meters;

        Series(final int meters)
        {
            this.meters = new Meter[meters];
        }
    }

    LbMetrics(final MeterRegistry registry)
    {
        this.registry = registry;
    }

    /** Brings the meters in line with {@code views} (the balancer's services now) and copies their values. */
    void reconcile(final List<ServiceView> views)
    {
        final Set<List<String>> seenServices = new HashSet<>();
        final Set<List<String>> seenBackends = new HashSet<>();
        for (final ServiceView view : views)
        {
            final String service = view.service().key().toString();
            final String name = view.service().name();
            final List<String> serviceKey = List.of(service, name);
            seenServices.add(serviceKey);
            copy(services.computeIfAbsent(serviceKey, k -> register("wharf.lb.service.", Tags.of("service", service, "name", name), false)),
                view.stats());
            for (final BackendView backend : view.backends())
            {
                final String endpoint = Ipv4Address.toString(backend.address()) + ":" + backend.port();
                final List<String> backendKey = List.of(service, name, endpoint);
                seenBackends.add(backendKey);
                final Series series = backends.computeIfAbsent(backendKey,
                    k -> register("wharf.lb.backend.", Tags.of("service", service, "name", name, "backend", endpoint), true));
                copy(series, backend.stats());
                series.values[UP] = backend.healthy() ? 1 : 0;
            }
        }
        removeGone(services, seenServices);
        removeGone(backends, seenBackends);
    }

    private static void copy(final Series series, final LbStats stats)
    {
        final double[] v = series.values;
        v[0] = stats.connections();
        v[1] = stats.active();
        v[2] = stats.inactive();
        v[3] = stats.packetsIn();
        v[4] = stats.packetsOut();
        v[5] = stats.bytesIn();
        v[6] = stats.bytesOut();
    }

    private Series register(final String prefix, final Tags tags, final boolean backend)
    {
        final Series series = new Series(backend ? UP + 1 : UP);
        for (int k = 0; k < UP; k++)
        {
            final Kind kind = KINDS.get(k);
            final int which = k;
            final String what = backend ? "The backend's: " : "The virtual service's (its backends', and those removed since): ";
            series.meters[k] = kind.counter() ?
                FunctionCounter.builder(prefix + kind.suffix(), series, s -> s.values[which])
                    .description(what + kind.help()).baseUnit(kind.baseUnit()).tags(tags).register(registry) :
                Gauge.builder(prefix + kind.suffix(), series, s -> s.values[which])
                    .description(what + kind.help()).tags(tags).strongReference(true).register(registry);
        }
        if (backend)
        {
            series.meters[UP] = Gauge.builder(prefix + "up", series, s -> s.values[UP])
                .description("1 while the backend's health check passes (or it has none), 0 while it is down")
                .tags(tags).strongReference(true).register(registry);
        }
        return series;
    }

    private void removeGone(final Map<List<String>, Series> all, final Set<List<String>> seen)
    {
        for (final Iterator<Map.Entry<List<String>, Series>> it = all.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<List<String>, Series> entry = it.next();
            if (!seen.contains(entry.getKey()))
            {
                for (final Meter meter : entry.getValue().meters)
                {
                    registry.remove(meter);
                }
                it.remove();
            }
        }
    }
}
