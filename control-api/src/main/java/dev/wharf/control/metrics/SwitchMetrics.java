package dev.wharf.control.metrics;

import dev.wharf.control.server.ControlPlane;
import dev.wharf.control.server.SwitchViews;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.WorkerAgent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The switch's meters in a Prometheus registry. The fast path never sees Micrometer: its counters
 * stay per-worker plain longs, and every meter here is a function of them, read when scraped.
 *
 * <p>Two kinds of meters. Those whose set never changes (per pipeline node, per error, per
 * worker) are registered once and read the {@link Dataplane} directly. Those that follow the
 * configuration (per port, per network) are reconciled with the {@link SwitchViews} at the
 * start of every scrape: new ports and networks get meters, gone ones lose theirs, so a scrape
 * never shows a detached port and a re-attached one is never registered twice. Their values are
 * copied in the same pass, read as one state ({@link SwitchViews#meterReading()}), so a scrape's
 * ports, networks and values all come from one consistent moment; a port id reused between two
 * scrapes can never lend its counters to the wrong name. Every feature adds its own meters
 * ({@code Feature.bindMetrics}: connection tracking's, for one); a feature whose meters follow its
 * configuration reconciles them in {@code Feature.beforeScrape} (the load balancer's per backend).
 *
 * <p>Thread safety: {@link #scrape} is synchronized; the metrics HTTP server calls it from its one
 * thread, tests from theirs. Reading the workers' counters from here is safe and at worst a
 * moment old ({@code WorkerCounters}).
 */
public final class SwitchMetrics implements AutoCloseable
{
    /** Content type of the Prometheus text exposition format that {@link #scrape} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final String[] PORT_METERS = {
        "wharf.port.rx.packets", "wharf.port.rx.bytes", "wharf.port.tx.packets",
        "wharf.port.tx.bytes", "wharf.port.rx.drops", "wharf.port.tx.drops", "wharf.port.rx.kernel.drops"};
    private static final int[] PORT_COUNTERS = {
        CounterLayout.PORT_RX_PACKETS, CounterLayout.PORT_RX_BYTES, CounterLayout.PORT_TX_PACKETS,
        CounterLayout.PORT_TX_BYTES, CounterLayout.PORT_RX_DROPS, CounterLayout.PORT_TX_DROPS, CounterLayout.PORT_RX_KERNEL_DROPS};
    private static final String[] PORT_HELP = {
        "Frames received on the port since it was attached",
        "Bytes received on the port since it was attached",
        "Frames sent on the port since it was attached",
        "Bytes sent on the port since it was attached",
        "Frames received on the port and dropped by the pipeline",
        "Frames the port could not send",
        "Frames the kernel dropped before the switch received them (a full receive ring; 0 on TAP ports)"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SwitchViews views;
    private final ControlPlane plane;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Map<PortKey, PortMeters> ports = new HashMap<>();
    private final Map<String, NetworkMeters> networks = new HashMap<>();

    /** Identity of a port's series: a port re-attached elsewhere or as another kind is a new series. */
    private record PortKey(String name, String network, String kind)
    {
    }

    /** A port's values as of the last scrape, and the meters that show them. */
    private static final class PortMeters
    {
        final long[] values = new long[PORT_COUNTERS.length];
        final Meter[] meters = new Meter[PORT_COUNTERS.length];
    }

    /** A network's FDB size as of the last scrape, and its gauge. */
    private static final class NetworkMeters
    {
        long fdbEntries;
        Meter meter;
    }

    public SwitchMetrics(final Dataplane dataplane, final ControlPlane plane)
    {
        this.views = plane.views();
        this.plane = plane;
        bindDataplane(dataplane);
        plane.bindMetrics(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("wharf.build.info", () -> 1)
            .description("Always 1; its labels say which build of the daemon runs on which Java")
            .tag("version", version())
            .tag("java", Runtime.version().toString())
            .register(registry);
    }

    /** The daemon's version from its jar's manifest, or "development" when it runs from classes. */
    static String version()
    {
        final String version = SwitchMetrics.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    private void bindDataplane(final Dataplane dataplane)
    {
        final CounterLayout layout = dataplane.layout();
        for (int node = 0; node < layout.nodeCount(); node++)
        {
            final int counter = layout.nodeCounter(node);
            FunctionCounter.builder("wharf.node.packets", dataplane, d -> d.sum(counter))
                .description("Packets processed by the pipeline node, summed over workers")
                .tag("node", layout.nodeName(node))
                .register(registry);
        }
        // every node error is declared a drop reason or an event (Node's declaration): two families, so a
        // sum over wharf_drops_total is packets lost and never counts a reply sent or a MAC learned
        for (int error = 0; error < layout.errorCount(); error++)
        {
            final int counter = error;
            if (layout.isDrop(error))
            {
                FunctionCounter.builder("wharf.drops", dataplane, d -> d.sum(counter))
                    .description("Packets a pipeline node dropped, by node and reason, summed over workers")
                    .tag("node", layout.errorNode(error))
                    .tag("reason", layout.errorReason(error))
                    .register(registry);
            }
            else
            {
                FunctionCounter.builder("wharf.node.events", dataplane, d -> d.sum(counter))
                    .description("Events a pipeline node counted that are not drops (a reply sent, a MAC learned), by node and event, summed over workers")
                    .tag("node", layout.errorNode(error))
                    .tag("event", layout.errorReason(error))
                    .register(registry);
            }
        }
        for (int w = 0; w < dataplane.workerCount(); w++)
        {
            final WorkerAgent worker = dataplane.worker(w);
            final Tags tags = Tags.of("worker", Integer.toString(w));
            FunctionCounter.builder("wharf.worker.busy.cycles", worker, WorkerAgent::busyCycles)
                .description("Duty cycles in which the worker found work")
                .tags(tags)
                .register(registry);
            FunctionCounter.builder("wharf.worker.idle.cycles", worker, WorkerAgent::idleCycles)
                .description("Duty cycles in which the worker found nothing to do")
                .tags(tags)
                .register(registry);
        }
        FunctionCounter.builder("wharf.worker.errors", dataplane, Dataplane::workerErrors)
            .description("Exceptions thrown out of a worker's duty cycle (the worker carries on)")
            .register(registry);
    }

    /** Brings the per-port and per-network meters in line with the switch, then writes every series in the text format. */
    public synchronized void scrape(final OutputStream out) throws IOException
    {
        reconcile();
        registry.scrape(out, CONTENT_TYPE);
    }

    /** {@link #scrape(OutputStream)} as a string, for tests and tools. */
    public synchronized String scrape()
    {
        reconcile();
        return registry.scrape(CONTENT_TYPE);
    }

    private void reconcile()
    {
        plane.beforeScrape();
        final Set<PortKey> seenPorts = new HashSet<>();
        final Set<String> seenNetworks = new HashSet<>();
        final SwitchViews.MeterReading reading = views.meterReading();
        for (final SwitchViews.PortCounters port : reading.ports())
        {
            final PortKey key = new PortKey(port.name(), port.network(), port.kind());
            seenPorts.add(key);
            final PortMeters meters = ports.computeIfAbsent(key, this::registerPort);
            meters.values[0] = port.rxPackets();
            meters.values[1] = port.rxBytes();
            meters.values[2] = port.txPackets();
            meters.values[3] = port.txBytes();
            meters.values[4] = port.rxDrops();
            meters.values[5] = port.txDrops();
            meters.values[6] = port.rxKernelDrops();
        }
        for (final Map.Entry<String, Integer> network : reading.fdbEntries().entrySet())
        {
            seenNetworks.add(network.getKey());
            networks.computeIfAbsent(network.getKey(), this::registerNetwork).fdbEntries = network.getValue();
        }
        for (final Iterator<Map.Entry<PortKey, PortMeters>> it = ports.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<PortKey, PortMeters> entry = it.next();
            if (!seenPorts.contains(entry.getKey()))
            {
                for (final Meter meter : entry.getValue().meters)
                {
                    registry.remove(meter);
                }
                it.remove();
            }
        }
        for (final Iterator<Map.Entry<String, NetworkMeters>> it = networks.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<String, NetworkMeters> entry = it.next();
            if (!seenNetworks.contains(entry.getKey()))
            {
                registry.remove(entry.getValue().meter);
                it.remove();
            }
        }
    }

    private PortMeters registerPort(final PortKey key)
    {
        final PortMeters meters = new PortMeters();
        final Tags tags = Tags.of("port", key.name(), "network", key.network(), "kind", key.kind());
        for (int k = 0; k < PORT_COUNTERS.length; k++)
        {
            final int which = k;
            meters.meters[k] = FunctionCounter.builder(PORT_METERS[k], meters, m -> m.values[which])
                .description(PORT_HELP[k])
                .baseUnit(PORT_METERS[k].endsWith(".bytes") ? BaseUnits.BYTES : null)
                .tags(tags)
                .register(registry);
        }
        return meters;
    }

    private NetworkMeters registerNetwork(final String name)
    {
        final NetworkMeters meters = new NetworkMeters();
        meters.meter = Gauge.builder("wharf.fdb.entries", meters, m -> m.fdbEntries)
            .description("MAC addresses in the network's forwarding database, learned and static")
            .tag("network", name)
            .strongReference(true)
            .register(registry);
        return meters;
    }

    @Override
    public synchronized void close()
    {
        gcMetrics.close();
        registry.close();
    }
}
