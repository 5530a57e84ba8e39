package dev.wharf.control.server;

import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.MonotonicClock;
import io.grpc.BindableService;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The switch's read-only views: a network's FDB, every port's counters (each feature that owns
 * ports lists them through {@link PortRows}), the named counters, and the diagnostics that observe
 * the dataplane without changing its configuration (trace, capture). It owns no state section.
 *
 * <p>Thread safety: views that combine the desired state with dataplane ids take the
 * {@link StateTransaction}'s lock; counters are read from the workers' slots, at worst a moment
 * old. gRPC executor threads and the metrics scrape.
 */
public final class SwitchViews implements Feature
{
    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dataplane dataplane;
    private final NetworkController networks;
    private final PortController ports;
    private final List<PortRows> portRows;

    /** One FDB entry with its port named. */
    /** @param vtep the peer within the port (an overlay tunnel's remote VTEP, an IPv4 address), 0 for none. */
    public record FdbRow(long mac, int vlan, String port, boolean isStatic, long ageMs, int vtep)
    {
    }

    /** One port's traffic since it was attached; {@code rxKernelDrops} are frames the kernel dropped before the dataplane received them. */
    public record PortCounters(
        String name, String network, String kind, long rxPackets, long rxBytes, long txPackets, long txBytes, long rxDrops, long txDrops,
        long rxKernelDrops)
    {
    }

    /** What a metrics scrape shows of the configuration, read as one state: every port's counters and every network's FDB size. */
    public record MeterReading(List<PortCounters> ports, Map<String, Integer> fdbEntries)
    {
    }

    /** @param portRows the features whose ports the counter views list, in that order. */
    public SwitchViews(
        final StateTransaction transaction, final IdMap ids, final Dataplane dataplane, final NetworkController networks,
        final PortController ports, final List<PortRows> portRows)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dataplane = dataplane;
        this.networks = networks;
        this.ports = ports;
        this.portRows = List.copyOf(portRows);
    }

    @Override
    public List<BindableService> services()
    {
        return List.of(new FdbService(this), new StatsService(this), new TraceService(ports, dataplane), new CaptureService(ports, dataplane));
    }

    /** A network's FDB, ordered by VLAN then MAC; NOT_FOUND when there is no such network. */
    public List<FdbRow> fdbRows(final String network)
    {
        return transaction.locked(() ->
        {
            final List<FdbRow> rows = new ArrayList<>();
            for (final FdbTable.Entry entry : networks.fdb(network).entries(MonotonicClock.nowMs()))
            {
                rows.add(new FdbRow(entry.mac(), entry.vlan(), ids.portName(entry.port()), entry.isStatic(), entry.ageMs(), entry.peer()));
            }
            rows.sort(Comparator.comparingInt(FdbRow::vlan).thenComparingLong(FdbRow::mac));
            return rows;
        });
    }

    /** Every port's counters: the user's ports in attach order, then the other features' (the uplink). */
    public List<PortCounters> portCounters()
    {
        return transaction.locked(() ->
        {
            final List<PortRows.PortRow> rows = new ArrayList<>();
            portRows.forEach(source -> source.addPortRows(rows));
            final List<PortCounters> list = new ArrayList<>();
            for (final PortRows.PortRow row : rows)
            {
                list.add(counters(row));
            }
            return list;
        });
    }

    /** Every port's counters and every network's FDB size, as one state. */
    public MeterReading meterReading()
    {
        return transaction.locked(() ->
        {
            final Map<String, Integer> fdbEntries = new LinkedHashMap<>();
            for (final NetworkSpec network : transaction.section(NetworkSection.KEY).networks())
            {
                fdbEntries.put(network.name(), networks.fdb(network.name()).size());
            }
            return new MeterReading(portCounters(), fdbEntries);
        });
    }

    private PortCounters counters(final PortRows.PortRow row)
    {
        final Integer id = row.id();
        if (id == null)
        {
            return new PortCounters(row.name(), row.network(), row.kind(), 0, 0, 0, 0, 0, 0, 0);
        }
        return new PortCounters(row.name(), row.network(), row.kind(),
            dataplane.portCounter(id, CounterLayout.PORT_RX_PACKETS),
            dataplane.portCounter(id, CounterLayout.PORT_RX_BYTES),
            dataplane.portCounter(id, CounterLayout.PORT_TX_PACKETS),
            dataplane.portCounter(id, CounterLayout.PORT_TX_BYTES),
            dataplane.portCounter(id, CounterLayout.PORT_RX_DROPS),
            dataplane.portCounter(id, CounterLayout.PORT_TX_DROPS),
            dataplane.portCounter(id, CounterLayout.PORT_RX_KERNEL_DROPS));
    }

    /** Every named counter ({@code node.error}) whose sum over workers is not zero, by name. */
    public List<NamedCounter> nonZeroCounters()
    {
        final CounterLayout layout = dataplane.layout();
        final List<NamedCounter> list = new ArrayList<>();
        for (int error = 0; error < layout.errorCount(); error++)
        {
            final long value = dataplane.sum(error);
            if (value != 0)
            {
                list.add(new NamedCounter(layout.errorName(error), value, layout.isDrop(error)));
            }
        }
        list.sort(Comparator.comparing(NamedCounter::name));
        return list;
    }

    public int workers()
    {
        return dataplane.workerCount();
    }

    public long workerErrors()
    {
        return dataplane.workerErrors();
    }
}
