package dev.wharf.bench;

import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.dataplane.worker.Pipeline;
import org.agrona.CloseHelper;

/**
 * One bridged network as worker 0 sees it, built the way {@link dev.wharf.dataplane.worker.Dataplane}
 * builds it: {@link #PORTS} count-only {@link MemoryPort}s (so a send costs a counter increment),
 * access ports or trunks, the network's FDB, a {@link DataplaneSnapshot}, and the real
 * {@link Pipeline#bridge()} graph with its {@link WorkerContext}. Built in a benchmark's trial setup;
 * used by the benchmark thread only.
 */
final class BenchTopology implements AutoCloseable
{
    static final int PORTS = 8;
    static final int MTU = 1500;
    /** 10.0.0.0/16, so that 4,096 hosts and more fit. */
    static final int SUBNET = 0x0A00_0000;
    static final int PREFIX_LENGTH = 16;
    static final int GATEWAY_IP = SUBNET | 1;
    static final long GATEWAY_MAC = 0x02_00_5E_00_00_01L;

    final MemoryPort[] ports = new MemoryPort[PORTS];
    final FdbTable fdb;
    final DataplaneSnapshot snapshot;
    final NodeGraph graph;
    final WorkerContext context;

    /**
     * @param trunk true: every port is a trunk carrying {@link BenchFrames#VLAN_ID} tagged; false:
     *              access ports of the untagged VLAN.
     */
    BenchTopology(final boolean trunk)
    {
        this(trunk, Pipeline.bridge());
    }

    /** As {@link #BenchTopology(boolean)}, running {@code graph} (the core with features loaded, say). */
    BenchTopology(final boolean trunk, final NodeGraph graph)
    {
        fdb = new FdbTable(DataplaneConfiguration.FDB_MAX_ENTRIES_DEFAULT, CounterLayout.MAX_PORTS);
        final PortBinding[] bindings = new PortBinding[PORTS];
        final int[] members = new int[PORTS];
        for (int id = 0; id < PORTS; id++)
        {
            ports[id] = new MemoryPort("bench" + id, MTU, 1).countOnly();
            bindings[id] = new PortBinding(id, ports[id], 0, trunk, 0, new int[]{BenchFrames.VLAN_ID}, MTU,
                DataplaneConfiguration.MAC_LIMIT_DEFAULT);
            members[id] = id;
        }
        final NetworkState network = new NetworkState(0, "bench", SUBNET, PREFIX_LENGTH, GATEWAY_IP, GATEWAY_MAC, fdb, members);
        snapshot = new DataplaneSnapshot(1, new NetworkState[]{network}, bindings, 1);
        this.graph = graph;
        context = new WorkerContext(0, graph.layout());
        context.snapshot = snapshot;
        context.nowMs = MonotonicClock.nowMs();
    }

    /** The port host {@code host} sits behind: hosts are spread round-robin over the ports. */
    static int portOf(final int host)
    {
        return host % PORTS;
    }

    /** Host {@code host}'s IPv4 address in {@link #SUBNET} (the gateway is .1). */
    static int ipOf(final int host)
    {
        return SUBNET + 2 + host;
    }

    /** Learns every MAC on its host's port, as traffic from them would have; fails unless each is new. */
    void learnAll(final long[] macs, final int vlan)
    {
        for (int host = 0; host < macs.length; host++)
        {
            final int result = fdb.learn(macs[host], vlan, portOf(host), context.nowMs, Integer.MAX_VALUE);
            if (result != FdbTable.LEARNED)
            {
                throw new IllegalStateException("FDB did not learn host " + host + ": result " + result);
            }
        }
    }

    /** The graph's instance of node {@code name}, bound to its next nodes and counters. */
    Node node(final String name)
    {
        return graph.node(graph.nodeId(name));
    }

    /** Frames sent so far, over all ports. */
    long sentCount()
    {
        long sent = 0;
        for (final MemoryPort port : ports)
        {
            sent += port.sentCount();
        }
        return sent;
    }

    /** Packets counted under error {@code name} ({@code node.error}) so far. */
    long errorCount(final String name)
    {
        final int id = context.layout.errorId(name);
        if (id < 0)
        {
            throw new IllegalArgumentException("no counter " + name);
        }
        return context.counters.get(id);
    }

    /** Every drop and event counted so far, by name; empty when there was none. For setup checks. */
    String nonZeroErrors()
    {
        final StringBuilder sb = new StringBuilder();
        for (int id = 0; id < context.layout.errorCount(); id++)
        {
            final long value = context.counters.get(id);
            if (value != 0)
            {
                sb.append(context.layout.errorName(id)).append('=').append(value).append(' ');
            }
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        for (final MemoryPort port : ports)
        {
            // quietly: MemoryPort.close() throws from BufferPool.close() (an aligned slice cannot be freed)
            CloseHelper.quietClose(port);
        }
    }
}
