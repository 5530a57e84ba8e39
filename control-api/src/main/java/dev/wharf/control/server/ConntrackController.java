package dev.wharf.control.server;

import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.nat.FlowView;
import dev.wharf.nat.NatFailure;
import io.grpc.BindableService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The connection tracking views: tracked connections with their networks named (through the shared
 * {@link IdMap}), their count, flushing them, recent failures, the NAT nodes' counters and the
 * conntrack meters. It owns no state section; it reads the NAT nodes through {@link NatControl}.
 *
 * <p>Thread safety: only the listing takes the {@link StateTransaction}'s lock (for the names);
 * the rest reads the table, which is safe from any thread. gRPC executor threads and the metrics scrape.
 */
public final class ConntrackController implements Feature
{
    public static final int CONNTRACK_LIST_DEFAULT = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(ConntrackController.class);

    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dataplane dataplane;
    private final NatControl nat;

    /** One tracked connection with its networks named. */
    public record ConnectionRow(FlowView flow, String originalNetwork, String replyNetwork)
    {
    }

    public ConntrackController(final StateTransaction transaction, final IdMap ids, final Dataplane dataplane, final NatControl nat)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dataplane = dataplane;
        this.nat = nat;
    }

    @Override
    public List<BindableService> services()
    {
        return List.<BindableService>of(new ConntrackService(this));
    }

    @Override
    public void bindMetrics(final MeterRegistry registry)
    {
        Gauge.builder("wharf.conntrack.entries", this, ConntrackController::entries)
            .description("Connections tracked now (NaN when the daemon runs without connection tracking)")
            .register(registry);
        Gauge.builder("wharf.conntrack.max", this, ConntrackController::max)
            .description("The connection table's size (wharf daemon --conntrack-max)")
            .register(registry);
    }

    private static double entries(final ConntrackController controller)
    {
        try
        {
            return controller.count();
        }
        catch (final RuntimeException e)
        {
            return Double.NaN;
        }
    }

    /** Up to {@code limit} tracked connections, their networks named. */
    public List<ConnectionRow> connections(final int limit)
    {
        return transaction.locked(() ->
        {
            final List<ConnectionRow> rows = new ArrayList<>();
            for (final FlowView flow : conntrack(() -> nat.list(limit)))
            {
                rows.add(new ConnectionRow(flow, zoneName(flow.originalZone()), zoneName(flow.replyZone())));
            }
            return rows;
        });
    }

    public int count()
    {
        return conntrack(nat::count);
    }

    public int max()
    {
        return nat.max();
    }

    public int flush()
    {
        final int flushed = conntrack(nat::flush);
        LOG.info("connection tracking flushed: {} connections", flushed);
        return flushed;
    }

    public List<NatFailure> failures()
    {
        return conntrack(nat::recentFailures);
    }

    /** Every counter of the NAT feature's nodes, zeros included, by name. */
    public List<NamedCounter> natCounters()
    {
        final CounterLayout layout = dataplane.layout();
        final List<NamedCounter> list = new ArrayList<>();
        for (int error = 0; error < layout.errorCount(); error++)
        {
            final String name = layout.errorName(error);
            if (nat.ownsCounter(name))
            {
                list.add(new NamedCounter(name, dataplane.sum(error), layout.isDrop(error)));
            }
        }
        list.sort(Comparator.comparing(NamedCounter::name));
        return list;
    }

    private static <T> T conntrack(final Supplier<T> call)
    {
        try
        {
            return call.get();
        }
        catch (final UnsupportedOperationException e)
        {
            throw ControlException.precondition("connection tracking is not available in this daemon: " + e.getMessage());
        }
    }

    /** The name of dataplane network {@code index}: a user network's, the uplink's, or {@code #index}. */
    private String zoneName(final int index)
    {
        final String name = ids.networkName(index);
        return name == null ? "#" + index : name;
    }
}
