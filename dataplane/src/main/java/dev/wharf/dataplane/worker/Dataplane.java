package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.capture.CaptureSession;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.punt.PuntChannel;
import dev.wharf.dataplane.punt.PuntDispatcher;
import dev.wharf.dataplane.punt.WorkerWakeup;
import dev.wharf.dataplane.trace.TraceSession;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running dataplane: its workers, the configuration snapshot they forward with, the FDBs and
 * the counters. The control plane's one entry point into the fast path.
 *
 * <p>Thread safety: the mutating methods are synchronized and called by the control plane; each
 * builds a new {@link DataplaneSnapshot} and publishes it through one volatile field. Workers read
 * that field once per duty cycle and reports the version it finished with. A detached port is closed
 * only once every worker has reported a snapshot version without it, however long that takes (see
 * {@link PortRetirement}); a detach waits a while for that and otherwise leaves the close to the
 * housekeeping thread. Input is assumed valid: the control plane checks user input before it calls
 * here, and a programming error surfaces as {@link IllegalArgumentException}.
 */
public final class Dataplane implements AutoCloseable
{
    /**
     * How long {@link #detachPort(int)} waits for the workers to move past a detached port, so that the port
     * is usually closed when the call returns (a TAP device wharf created is gone, its id free again). It
     * bounds the caller's wait, not the port's life: a port is never closed because this passed.
     */
    public static final long RETIRE_WAIT_MS_DEFAULT = 2_000;
    /** The punt thread's longest sleep when nothing is punted: its handlers' timers (an upstream timeout) run this often. */
    public static final long PUNT_IDLE_MAX_PARK_NS = 1_000_000;
    /** How often the housekeeping thread looks again whether the workers let go of a detached port. */
    private static final long RECLAIM_PERIOD_MS = 10;

    private final DataplaneConfiguration configuration;
    private final WorkerAgent[] workers;
    private final AgentRunner[] runners;
    private final PuntDispatcher punt;
    private AgentRunner puntRunner;
    private final CounterLayout layout;
    private final AtomicLong versions = new AtomicLong();
    private final ScheduledExecutorService housekeeping;
    private final long[][] portBaselines = new long[CounterLayout.MAX_PORTS][];
    private final AtomicLong workerErrors = new AtomicLong();
    private final PortRetirement retirement = new PortRetirement();
    private volatile DataplaneSnapshot snapshot;
    private volatile TraceSession currentTrace;
    private boolean started;
    /** True from start until close has stopped every worker thread: only then can a worker hold a snapshot. */
    private volatile boolean workersRunning;
    /** True while a reclaim is scheduled on the housekeeping thread; guarded by this. */
    private boolean reclaimScheduled;

    public Dataplane(final DataplaneConfiguration configuration)
    {
        this.configuration = configuration;
        this.snapshot = new DataplaneSnapshot(0, new NetworkState[0], new PortBinding[0], configuration.workers());
        this.workers = new WorkerAgent[configuration.workers()];
        this.runners = new AgentRunner[configuration.workers()];
        CounterLayout layout = null;
        final PuntChannel[] channels = new PuntChannel[workers.length];
        for (int w = 0; w < workers.length; w++)
        {
            final NodeGraph graph = configuration.pipelines().create(w);
            layout = graph.layout();
            channels[w] = new PuntChannel(w);
            workers[w] = new WorkerAgent(w, this::snapshot, graph, channels[w]);
        }
        this.layout = layout;
        this.punt = new PuntDispatcher(channels);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "wharf-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the worker threads and FDB aging. */
    public synchronized void start()
    {
        if (started)
        {
            return;
        }
        started = true;
        workersRunning = true;
        for (int w = 0; w < workers.length; w++)
        {
            final IdleStrategy idle = configuration.idleStrategies().create(w, this::snapshot);
            if (idle instanceof WorkerWakeup wakeup)
            {
                workers[w].context().punt.wakeup(wakeup);
            }
            runners[w] = new AgentRunner(idle, this::onWorkerError, null, workers[w]);
            AgentRunner.startOnThread(runners[w]);
        }
        if (punt.hasServices())
        {
            // the workers unpark the punt thread when they punt: between punts it may sleep long
            puntRunner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, PUNT_IDLE_MAX_PARK_NS), this::onWorkerError, null, punt);
            AgentRunner.startOnThread(puntRunner);
        }
        final long periodMs = Math.max(100, Math.min(1_000, configuration.fdbAgingMs() / 10));
        housekeeping.scheduleAtFixedRate(this::expireFdbs, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private void onWorkerError(final Throwable error)
    {
        // a worker never dies: AgentRunner carries on with the next duty cycle after reporting here
        workerErrors.incrementAndGet();
        configuration.errorHandler().onError(error);
    }

    public DataplaneSnapshot snapshot()
    {
        return snapshot;
    }

    public DataplaneConfiguration configuration()
    {
        return configuration;
    }

    public CounterLayout layout()
    {
        return layout;
    }

    public int workerCount()
    {
        return workers.length;
    }

    /** The punt thread: features register their control-plane services with it before {@link #start}. */
    public PuntDispatcher punt()
    {
        return punt;
    }

    public WorkerAgent worker(final int index)
    {
        return workers[index];
    }

    public long workerErrors()
    {
        return workerErrors.get();
    }

    /**
     * Adds a network.
     *
     * @return its index.
     */
    public synchronized int addNetwork(final String name, final int subnet, final int prefixLength, final int gatewayIp, final long gatewayMac)
    {
        return addNetwork(name, subnet, prefixLength, gatewayIp, gatewayMac, NetworkPolicy.DEFAULT);
    }

    /**
     * Adds a container network with its policy.
     *
     * @return its index.
     */
    public synchronized int addNetwork(
        final String name, final int subnet, final int prefixLength, final int gatewayIp, final long gatewayMac, final NetworkPolicy policy)
    {
        return insertNetwork(name, subnet, prefixLength, gatewayIp, gatewayMac, policy, false, 0);
    }

    /**
     * Adds the uplink network: the host's outside address ({@code address/prefixLength}, answered
     * for with {@code mac}) and the router beyond it; attach the outside interface to it with
     * {@link #attachPort}.
     *
     * @return its index.
     */
    public synchronized int addUplink(
        final String name, final int address, final int prefixLength, final long mac, final int defaultGateway)
    {
        if (snapshot.uplinkIndex() >= 0)
        {
            throw new IllegalArgumentException("the uplink is set already");
        }
        final int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return insertNetwork(name, address & mask, prefixLength, address, mac, NetworkPolicy.DEFAULT, true, defaultGateway);
    }

    private int insertNetwork(
        final String name, final int subnet, final int prefixLength, final int gatewayIp, final long gatewayMac,
        final NetworkPolicy policy, final boolean uplink, final int defaultGateway)
    {
        final DataplaneSnapshot current = snapshot;
        NetworkState[] networks = current.networksCopy();
        final int index = indexOfFree(networks);
        if (index == networks.length)
        {
            networks = Arrays.copyOf(networks, networks.length + 1);
        }
        networks[index] = new NetworkState(index, name, subnet, prefixLength, gatewayIp, gatewayMac,
            new FdbTable(configuration.fdbMaxEntries(), CounterLayout.MAX_PORTS), new int[0], policy, uplink, defaultGateway,
            new NeighbourTable(NeighbourTable.CAPACITY_DEFAULT), new long[0]);
        publish(networks, current.portsCopy());
        return index;
    }

    /** Replaces a network's policy (internal, icc); connections already tracked keep flowing. */
    public synchronized void setNetworkPolicy(final int index, final NetworkPolicy policy)
    {
        final DataplaneSnapshot current = snapshot;
        final NetworkState network = requireNetwork(current, index);
        final NetworkState[] networks = current.networksCopy();
        networks[index] = network.withPolicy(policy);
        publish(networks, current.portsCopy());
    }

    /**
     * Gives a network this host's own address and MAC beside its gateway's ({@code ip} 0 takes it away):
     * see {@link NetworkState#hostIp}.
     */
    public synchronized void setHostAddress(final int index, final int ip, final long mac)
    {
        final DataplaneSnapshot current = snapshot;
        final NetworkState network = requireNetwork(current, index);
        final NetworkState[] networks = current.networksCopy();
        networks[index] = network.withHostAddress(ip, mac);
        publish(networks, current.portsCopy());
    }

    /** Allows (or with {@code on} false, forbids again) routing between networks {@code a} and {@code b}. */
    public synchronized void connectNetworks(final int a, final int b, final boolean on)
    {
        final DataplaneSnapshot current = snapshot;
        final NetworkState first = requireNetwork(current, a);
        final NetworkState second = requireNetwork(current, b);
        final NetworkState[] networks = current.networksCopy();
        networks[a] = first.withConnection(b, on);
        networks[b] = networks[b].withConnection(a, on);
        publish(networks, current.portsCopy());
    }

    private static NetworkState requireNetwork(final DataplaneSnapshot current, final int index)
    {
        final NetworkState network = current.network(index);
        if (network == null)
        {
            throw new IllegalArgumentException("no network " + index);
        }
        return network;
    }

    /** Removes a network that has no ports left. */
    public synchronized void removeNetwork(final int index)
    {
        final DataplaneSnapshot current = snapshot;
        final NetworkState network = current.network(index);
        if (network == null)
        {
            throw new IllegalArgumentException("no network " + index);
        }
        if (network.portIds.length != 0)
        {
            throw new IllegalArgumentException("network " + network.name + " still has ports");
        }
        final NetworkState[] networks = current.networksCopy();
        networks[index] = null;
        for (int n = 0; n < networks.length; n++)
        {
            if (networks[n] != null && networks[n].isConnectedTo(index))
            {
                networks[n] = networks[n].withConnection(index, false);
            }
        }
        publish(networks, current.portsCopy());
    }

    /**
     * Attaches an opened port to a network.
     *
     * @param trunkVlans VLANs a trunk carries tagged; ignored for an access port.
     * @param macLimit   most learned MACs, or 0 for the default.
     * @return the port's id.
     */
    public synchronized int attachPort(
        final int network, final Port port, final boolean trunk, final int accessVlan, final int[] trunkVlans, final int macLimit)
    {
        final DataplaneSnapshot current = snapshot;
        final NetworkState state = current.network(network);
        if (state == null)
        {
            throw new IllegalArgumentException("no network " + network);
        }
        reclaimRetired();
        PortBinding[] ports = current.portsCopy();
        final int id = freePortId(ports);
        if (id == ports.length)
        {
            ports = Arrays.copyOf(ports, ports.length + 1);
        }
        ports[id] = new PortBinding(id, port, network, trunk, accessVlan, trunkVlans, port.mtu(),
            macLimit > 0 ? macLimit : configuration.defaultMacLimit());
        portBaselines[id] = readPortCounters(id);
        final NetworkState[] networks = current.networksCopy();
        final int[] members = Arrays.copyOf(state.portIds, state.portIds.length + 1);
        members[members.length - 1] = id;
        networks[network] = state.withPorts(members);
        publish(networks, ports);
        return id;
    }

    /**
     * Attaches an opened port that belongs to no network: a device whose frames a feature on the
     * {@link dev.wharf.dataplane.graph.FeatureArc#DEVICE_INPUT} arc claims (a tunnel underlay, whose datagrams
     * are decapsulated into frames of a network's tunnel port). Workers receive from it like any port;
     * frames nobody claims drop at ethernet-input. Detached with {@link #detachPort}.
     *
     * @return the port's id.
     */
    public synchronized int attachDevicePort(final Port port)
    {
        final DataplaneSnapshot current = snapshot;
        reclaimRetired();
        PortBinding[] ports = current.portsCopy();
        final int id = freePortId(ports);
        if (id == ports.length)
        {
            ports = Arrays.copyOf(ports, ports.length + 1);
        }
        ports[id] = new PortBinding(id, port, PortBinding.NO_NETWORK, false, 0, new int[0], port.mtu(), 1);
        portBaselines[id] = readPortCounters(id);
        publish(current.networksCopy(), ports);
        return id;
    }

    /** The lowest free port id (the next one when none is free), refused past {@link CounterLayout#MAX_PORTS}. */
    private int freePortId(final PortBinding[] ports)
    {
        final int id = indexOfFreePort(ports);
        if (id >= CounterLayout.MAX_PORTS)
        {
            final int retiring = retirement.size();
            throw new IllegalStateException("too many ports: at most " + CounterLayout.MAX_PORTS +
                (retiring == 0 ? "" : " (" + retiring + " detached ones wait for a worker to let go)"));
        }
        return id;
    }

    /**
     * Switches learning on port {@code id} on or off (what it learned stays, and ages out, when switched off).
     *
     * @throws IllegalArgumentException when there is no such port.
     */
    public synchronized void setPortLearning(final int id, final boolean learns)
    {
        final DataplaneSnapshot current = snapshot;
        final PortBinding binding = current.port(id);
        if (binding == null)
        {
            throw new IllegalArgumentException("no port " + id);
        }
        final PortBinding[] ports = current.portsCopy();
        ports[id] = binding.withLearning(learns);
        publish(current.networksCopy(), ports);
    }

    /**
     * Turns port security on port {@code id} on (bound to {@code mac} and {@code ip}) or off ({@code mac} 0). On, the
     * port's MAC also becomes a static FDB entry on the port's VLAN, so no other port can move it away (l2-learn
     * drops such frames as {@code static-mac-conflict}); off, that entry goes and the MAC is learned again.
     *
     * @throws IllegalArgumentException when there is no such port, or it is a trunk or device port.
     */
    public synchronized void setPortSecurity(final int id, final long mac, final int ip)
    {
        final DataplaneSnapshot current = snapshot;
        final PortBinding binding = current.port(id);
        if (binding == null || binding.network < 0)
        {
            throw new IllegalArgumentException("no port " + id);
        }
        if (binding.trunk && mac != 0)
        {
            throw new IllegalArgumentException("port security needs an access port");
        }
        final NetworkState state = current.network(binding.network);
        if (binding.secured)
        {
            state.fdb.remove(binding.securedMac, binding.accessVlan);
        }
        final PortBinding[] ports = current.portsCopy();
        if (mac != 0)
        {
            state.fdb.addStatic(mac, binding.accessVlan, id);
            ports[id] = binding.withSecurity(mac, ip);
        }
        else
        {
            ports[id] = binding.withoutSecurity();
        }
        publish(current.networksCopy(), ports);
    }

    /**
     * Detaches a port and forgets what the FDB learned on it; closes it once no worker can use it, waiting
     * up to {@link #RETIRE_WAIT_MS_DEFAULT} for that.
     *
     * @return true when the port is closed on return; false when a worker still holds a snapshot with it,
     * and the housekeeping thread (or {@link #close()}) closes it once the last one moved on.
     */
    public boolean detachPort(final int id)
    {
        return detachPort(id, RETIRE_WAIT_MS_DEFAULT);
    }

    /**
     * As {@link #detachPort(int)}, waiting up to {@code waitMs} (0: not at all) for the workers to let go.
     * The port's id stays taken until it is closed. The same interface may be opened and attached again
     * meanwhile, under another id: an AF_PACKET socket is independent of the old one; a TAP opened again
     * joins the device, whose frames the kernel then spreads over the old queues too until they close.
     */
    public synchronized boolean detachPort(final int id, final long waitMs)
    {
        final DataplaneSnapshot current = snapshot;
        final PortBinding binding = current.port(id);
        if (binding == null)
        {
            throw new IllegalArgumentException("no port " + id);
        }
        final PortBinding[] ports = current.portsCopy();
        ports[id] = null;
        final NetworkState[] networks = current.networksCopy();
        final NetworkState state = binding.network == PortBinding.NO_NETWORK ? null : networks[binding.network];
        if (state != null)
        {
            networks[binding.network] = state.withPorts(Arrays.stream(state.portIds).filter(p -> p != id).toArray());
        }
        final long version = publish(networks, ports);
        if (state != null)
        {
            // at once, so that workers on the new snapshot flood to its MACs instead of sending to a port that is gone
            state.fdb.flushPort(id);
        }
        retirement.retire(binding, state == null ? null : state.fdb, version);
        awaitWorkers(version, waitMs);
        reclaimRetired();
        if (retirement.holds(id))
        {
            scheduleReclaim();
            return false;
        }
        return true;
    }

    /** Detached ports that wait for a worker to move to a snapshot without them. */
    public int retiringPorts()
    {
        return retirement.size();
    }

    /**
     * Closes the detached ports that every worker has moved past; the housekeeping thread calls it while
     * some wait, any thread may.
     *
     * @return ports closed.
     */
    public int reclaimRetired()
    {
        // read the versions first: a port retired after this read waits for the next call
        return retirement.reclaim(versionSeenByAllWorkers());
    }

    /** The lowest snapshot version every worker has finished a duty cycle with; no worker holds an older snapshot. */
    private long versionSeenByAllWorkers()
    {
        if (!workersRunning)
        {
            // no worker thread runs (yet, or any more): nothing holds a snapshot but the caller
            return Long.MAX_VALUE;
        }
        long lowest = Long.MAX_VALUE;
        for (final WorkerAgent worker : workers)
        {
            lowest = Math.min(lowest, worker.observedVersion());
        }
        return lowest;
    }

    private synchronized void scheduleReclaim()
    {
        if (reclaimScheduled)
        {
            return;
        }
        try
        {
            housekeeping.schedule(this::reclaimLater, RECLAIM_PERIOD_MS, TimeUnit.MILLISECONDS);
            reclaimScheduled = true;
        }
        catch (final RejectedExecutionException ex)
        {
            // closing: close() closes what is left
        }
    }

    /** On the housekeeping thread: closes what the workers let go of, and looks again later while any port waits. */
    private void reclaimLater()
    {
        synchronized (this)
        {
            reclaimScheduled = false;
        }
        reclaimRetired();
        if (retirement.size() > 0)
        {
            scheduleReclaim();
        }
    }

    /** Traces the next {@code count} packets arriving on {@code portId} (or any port), replacing a running trace. */
    public TraceSession startTrace(final int count, final int portId)
    {
        final TraceSession session = new TraceSession(count, portId);
        for (final WorkerAgent worker : workers)
        {
            worker.trace(session);
        }
        currentTrace = session;
        return session;
    }

    /** Starts capturing frames of port {@code portId}; the caller drains the session and stops it. */
    public CaptureSession startCapture(final int portId, final int directions, final int count)
    {
        final CaptureSession session = new CaptureSession(portId, directions, count);
        for (final WorkerAgent worker : workers)
        {
            worker.capture(session);
        }
        return session;
    }

    /** Ends a capture started by {@link #startCapture}. */
    public void stopCapture(final CaptureSession session)
    {
        session.stop();
        for (final WorkerAgent worker : workers)
        {
            worker.capture(null);
        }
    }

    /** The running or last trace, or null. */
    public TraceSession currentTrace()
    {
        return currentTrace;
    }

    /** A port's counter since it was attached, summed over workers. */
    public long portCounter(final int id, final int which)
    {
        final long[] baseline = portBaselines[id];
        final long total = sum(layout.portCounter(id, which));
        return baseline == null ? total : total - baseline[which];
    }

    /** A counter summed over workers. */
    public long sum(final int counter)
    {
        long total = 0;
        for (final WorkerAgent worker : workers)
        {
            total += worker.context().counters.get(counter);
        }
        return total;
    }

    private long[] readPortCounters(final int id)
    {
        final long[] values = new long[CounterLayout.PORT_STRIDE];
        for (int k = 0; k < values.length; k++)
        {
            values[k] = sum(layout.portCounter(id, k));
        }
        return values;
    }

    /** Ages out learned FDB entries; runs on the housekeeping thread. */
    public void expireFdbs()
    {
        final long nowMs = MonotonicClock.nowMs();
        final DataplaneSnapshot current = snapshot;
        for (int n = 0; n < current.networkSlots(); n++)
        {
            final NetworkState network = current.network(n);
            if (network != null)
            {
                network.fdb.expire(nowMs, configuration.fdbAgingMs());
            }
        }
    }

    private long publish(final NetworkState[] networks, final PortBinding[] ports)
    {
        final long version = versions.incrementAndGet();
        snapshot = new DataplaneSnapshot(version, networks, ports, workers.length);
        return version;
    }

    /** Waits up to {@code waitMs} until every worker has reported {@code version}; only the caller's wait is bounded. */
    private void awaitWorkers(final long version, final long waitMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
        while (versionSeenByAllWorkers() < version && System.nanoTime() - deadline < 0)
        {
            idle.idle();
        }
    }

    /** The lowest port id that is neither attached nor waiting to be closed. */
    private int indexOfFreePort(final PortBinding[] ports)
    {
        for (int i = 0; i < ports.length; i++)
        {
            if (ports[i] == null && !retirement.holds(i))
            {
                return i;
            }
        }
        return ports.length;
    }

    private static int indexOfFree(final Object[] slots)
    {
        for (int i = 0; i < slots.length; i++)
        {
            if (slots[i] == null)
            {
                return i;
            }
        }
        return slots.length;
    }

    @Override
    public synchronized void close()
    {
        housekeeping.shutdownNow();
        CloseHelper.quietClose(puntRunner);
        for (final AgentRunner runner : runners)
        {
            CloseHelper.quietClose(runner);
        }
        // every worker thread has ended (AgentRunner.close waits for it): no port can be in use any more
        workersRunning = false;
        retirement.closeAll();
        final List<Port> ports = new ArrayList<>();
        for (final PortBinding binding : snapshot.attachedPorts())
        {
            ports.add(binding.port);
        }
        publish(snapshot.networksCopy(), new PortBinding[0]);
        ports.forEach(CloseHelper::quietClose);
    }
}
