package dev.wharf.lb;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.lb.schedule.BackendWeight;
import dev.wharf.lb.schedule.Scheduler;
import dev.wharf.lb.schedule.SchedulerOptions;
import dev.wharf.lb.schedule.Schedulers;
import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.ConntrackTable;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.MarkCounters;
import dev.wharf.nat.NatService;
import dev.wharf.nat.VirtualServices;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The L4 load balancer of one dataplane (IPVS's virtual services and real servers), in NAT mode: a new
 * flow to a service's VIP is given a backend by the service's scheduler and translated to it by
 * connection tracking, whose entry then carries every later packet both ways (one conntrack lookup per
 * packet; the scheduler runs once per connection). Each backend has a mark that its flows carry in their
 * conntrack state word, by which the balancer counts its connections (for lc and wlc, and listings) and
 * ends them when the backend goes: TCP with a reset on its next segment, UDP at once (its next datagram
 * is scheduled afresh).
 *
 * <p>Counts, as {@code ipvsadm -Ln --stats}: connections scheduled, and tracked now as active (TCP
 * ESTABLISHED) or inactive (the rest), kept by mark from the conntrack table's {@link ConntrackTable.FlowListener}
 * calls (per connection, not per packet); packets and bytes each way counted by the workers by mark
 * ({@link MarkCounters}, summed by {@link NatService#markTotals}), less the baseline the mark had when its
 * backend got it, so a backend given a reused mark starts from zero. A service's totals also keep what its
 * removed backends had counted (IPVS keeps a service's own), so they never go down. Rates are sampled every
 * {@link RateEstimator#INTERVAL_MS} ms by {@link #housekeep}: the last interval's.
 *
 * <p>Threads: the control thread calls the changes and {@link #housekeep}, one at a time (they are
 * synchronized); the workers call {@link #schedule} (through {@link NatService#virtualServices}) against
 * the table last published, and the conntrack table calls the {@link ConntrackTable.FlowListener}
 * methods on whichever thread creates or removes a marked flow.
 */
public final class LoadBalancer implements VirtualServices, ConntrackTable.FlowListener
{
    /** Marks (one per backend) run 1..MAX_MARK; 0 is "no backend". */
    public static final int MAX_BACKENDS = ConnectionState.MAX_MARK;
    /** Clients a persistent service remembers at once (slots of its {@link PersistenceTable}: 12 bytes each). */
    static final int PERSISTENT_CLIENTS = 1 << 16;

    private final NatService nat;
    private final SchedulerOptions options;
    /** By mark: connections tracked now (created minus removed). */
    private final AtomicLongArray connections = new AtomicLongArray(ConnectionState.MAX_MARK + 1);
    /** By mark: new connections scheduled to the backend since it got the mark. */
    private final AtomicLongArray scheduled = new AtomicLongArray(ConnectionState.MAX_MARK + 1);
    /** By mark: connections tracked now in ESTABLISHED (entered minus left; a moment below 0 possible). */
    private final AtomicLongArray active = new AtomicLongArray(ConnectionState.MAX_MARK + 1);
    /** The workers' packet and byte counts of a mark, read under the lock. */
    private final long[] markTotals = new long[MarkCounters.COUNTERS];
    private long ratesSampledAtMs = Long.MIN_VALUE;
    private final Map<ServiceKey, ServiceState> services = new LinkedHashMap<>();
    private final MarkAllocator marks = new MarkAllocator(ConnectionState.MAX_MARK);
    /** Marks of removed backends whose flows are not all gone yet: reused only once they are. */
    private final List<Integer> retiring = new ArrayList<>();
    /** By mark: its backend's address (0: none), read per packet of routed flows; plain int stores, the control thread's. */
    private final int[] addressByMark = new int[ConnectionState.MAX_MARK + 1];
    private volatile ServiceTable table = ServiceTable.EMPTY;
    private final LbFeature feature = new LbFeature(this);

    public LoadBalancer(final NatService nat)
    {
        this(nat, SchedulerOptions.DEFAULT);
    }

    public LoadBalancer(final NatService nat, final SchedulerOptions options)
    {
        this.nat = nat;
        this.options = options;
        nat.table().flowListener(this);
        nat.virtualServices(this);
    }

    /** The balancer's nodes, for {@code Pipeline.withFeatures}. */
    public dev.wharf.dataplane.graph.GraphFeature feature()
    {
        return feature;
    }

    /** The services in force, as the workers read them. */
    ServiceTable table()
    {
        return table;
    }

    // ---- the workers' side ----

    @Override
    public long schedule(
        final int network, final int protocol, final int client, final int clientPort, final int destination, final int destinationPort,
        final long nowMs)
    {
        final ServiceEntry entry = table.find(destination, destinationPort, protocol);
        if (entry == null)
        {
            return NOT_VIRTUAL;
        }
        final PersistenceTable persistence = entry.persistence;
        if (persistence != null)
        {
            final int pinned = entry.indexOf(persistence.lookup(client, nowMs));
            if (pinned >= 0 && entry.pinnable[pinned])
            {
                // IPVS keeps a persistent client on a quiesced backend too; a draining or removed one loses it
                persistence.pin(client, entry.mark[pinned], nowMs);
                return given(entry, pinned) | PINNED;
            }
        }
        final int backend = entry.scheduler.pick(client, clientPort, flowHash(client, clientPort, destination, destinationPort, protocol), entry);
        if (backend == Scheduler.NONE)
        {
            return NO_BACKEND;
        }
        if (persistence != null)
        {
            persistence.pin(client, entry.mark[backend], nowMs);
        }
        return given(entry, backend);
    }

    private long given(final ServiceEntry entry, final int backend)
    {
        final int mark = entry.mark[backend];
        scheduled.getAndIncrement(mark);
        return entry.routed ? VirtualServices.routed(entry.address[backend], mark) :
            VirtualServices.translation(entry.address[backend], entry.port[backend], mark);
    }

    /** Routed (direct server return) flows' later packets: the backend of {@code mark}, 0 when it is gone. */
    @Override
    public int backendAddress(final int mark)
    {
        return addressByMark[mark];
    }

    private static long flowHash(final int client, final int clientPort, final int vip, final int vipPort, final int protocol)
    {
        long h = ((client & 0xFFFF_FFFFL) << 32 | (vip & 0xFFFF_FFFFL)) * 0x9E37_79B9_7F4A_7C15L;
        h ^= ((long)clientPort << 32 | (long)vipPort << 8 | protocol) * 0xC2B2_AE3D_27D4_EB4FL;
        return h ^ (h >>> 31);
    }

    @Override
    public void created(final int stateWord)
    {
        final int mark = ConnectionState.mark(stateWord);
        connections.getAndIncrement(mark);
        if (ConnectionState.of(stateWord) == ConnectionState.ESTABLISHED)
        {
            active.getAndIncrement(mark);
        }
    }

    @Override
    public void removed(final int stateWord)
    {
        final int mark = ConnectionState.mark(stateWord);
        connections.getAndDecrement(mark);
        if (ConnectionState.of(stateWord) == ConnectionState.ESTABLISHED)
        {
            active.getAndDecrement(mark);
        }
    }

    @Override
    public void changed(final int before, final int after)
    {
        final boolean was = ConnectionState.of(before) == ConnectionState.ESTABLISHED;
        final boolean is = ConnectionState.of(after) == ConnectionState.ESTABLISHED;
        if (was != is)
        {
            active.getAndAdd(ConnectionState.mark(after), is ? 1 : -1);
        }
    }

    /** A traced new flow's scheduling decision: the service, its scheduler, the backend (or the refusal). */
    @Override
    public String describe(final int protocol, final int destination, final int destinationPort, final long answer)
    {
        final ServiceEntry entry = table.find(destination, destinationPort, protocol);
        if (entry == null || answer == NOT_VIRTUAL)
        {
            return null;
        }
        final StringBuilder text = new StringBuilder("lb: service ").append(entry.key);
        if (!entry.name.isEmpty())
        {
            text.append(" (").append(entry.name).append(')');
        }
        text.append(", scheduler ").append(entry.scheduler.name());
        if (answer == NO_BACKEND)
        {
            return text.append(": no backend can take it, refused").toString();
        }
        text.append(VirtualServices.isPinned(answer) ? ": persistent client, kept on backend " : ": backend ")
            .append(Ipv4Address.toString(VirtualServices.address(answer)));
        if (VirtualServices.isRouted(answer))
        {
            text.append(" (direct server return)");
        }
        else
        {
            text.append(':').append(VirtualServices.port(answer));
        }
        return text.append(", mark ").append(VirtualServices.mark(answer)).toString();
    }

    // ---- the control thread's side ----

    /** Adds a service with no backends (new connections to it are refused until one is added). */
    public synchronized void addService(final VirtualService service)
    {
        if (services.containsKey(service.key()))
        {
            throw new IllegalArgumentException("service " + service.key() + " exists");
        }
        final ServiceState state = new ServiceState(service, Schedulers.build(service.scheduler(), List.of(), ServiceState.optionsOf(service, options)));
        services.put(service.key(), state);
        publish();
    }

    /** Changes a service's scheduler or persistence; its connections keep their backends. */
    public synchronized void updateService(final VirtualService service)
    {
        final ServiceState state = state(service.key());
        state.service = service;
        state.scheduler = Schedulers.build(service.scheduler(), state.weights(), ServiceState.optionsOf(service, options));
        state.persistence = ServiceState.persistenceOf(service, state.persistence);
        publish();
    }

    /** Removes a service: its connections end (TCP with a reset, UDP at once). */
    public synchronized void removeService(final ServiceKey key)
    {
        final ServiceState state = state(key);
        services.remove(key);
        publish();
        for (final BackendState backend : state.backends)
        {
            retire(backend);
        }
    }

    /** Adds a backend; new connections reach it at once. */
    public synchronized void addBackend(final ServiceKey key, final BackendWeight backend)
    {
        final ServiceState state = state(key);
        if (state.find(backend.address(), backend.port()) != null)
        {
            throw new IllegalArgumentException("backend " + backend + " exists on " + key);
        }
        final int mark = marks.allocate();
        if (mark == 0)
        {
            throw new IllegalStateException("no room for another backend: at most " + MAX_BACKENDS);
        }
        connections.set(mark, 0);
        scheduled.set(mark, 0);
        active.set(mark, 0);
        addressByMark[mark] = backend.address();
        nat.markTotals(mark, markTotals);
        state.backends.add(new BackendState(backend, mark, markTotals.clone()));
        state.reschedule(options);
        publish();
    }

    /**
     * Marks a backend healthy or not (its health check's verdict): an unhealthy one gets no new connections,
     * as one of weight 0, and loses its persistent clients; its connections stay. @return whether it changed.
     */
    public synchronized boolean setHealthy(final ServiceKey key, final int address, final int port, final boolean healthy)
    {
        final ServiceState state = services.get(key);
        final BackendState backend = state == null ? null : state.find(address, port);
        if (backend == null || backend.healthy == healthy)
        {
            return false;
        }
        backend.healthy = healthy;
        state.reschedule(options);
        publish();
        return true;
    }

    /** Changes a backend's weight; 0 quiesces it (no new connections, its connections stay). */
    public synchronized void setWeight(final ServiceKey key, final int address, final int port, final int weight)
    {
        final BackendState backend = backend(key, address, port);
        backend.spec = new BackendWeight(address, port, weight);
        state(key).reschedule(options);
        publish();
    }

    /**
     * Removes a backend. It gets no new connections from now; its UDP flows end at once (their next
     * datagrams are scheduled to another backend); its TCP connections end with a reset after
     * {@code drainMs} (at once for 0), through {@link #housekeep}.
     */
    public synchronized void removeBackend(final ServiceKey key, final int address, final int port, final long drainMs, final long nowMs)
    {
        final ServiceState state = state(key);
        final BackendState backend = backend(key, address, port);
        if (drainMs <= 0)
        {
            removeFrom(state, List.of(backend));
            return;
        }
        backend.draining = true;
        backend.drainEndsAtMs = nowMs + drainMs;
        state.reschedule(options);
        publish();
        final int mark = backend.mark;
        nat.endFlows((oa, op, ra, rp, word) -> ConnectionState.mark(word) == mark && FlowKey.protocol(op) != ServiceKey.TCP);
    }

    /**
     * Ends the drains that are due and frees the marks of backends whose flows are all gone; the control
     * thread, a few times a second. @return backends whose drain ended now.
     */
    public synchronized int housekeep(final long nowMs)
    {
        int ended = 0;
        for (final ServiceState state : services.values())
        {
            final List<BackendState> due = state.backends.stream().filter(b -> b.draining && b.drainEndsAtMs <= nowMs).toList();
            if (!due.isEmpty())
            {
                removeFrom(state, due);
                ended += due.size();
            }
        }
        retiring.removeIf(mark ->
        {
            if (connections.get(mark) > 0)
            {
                return false;
            }
            marks.free(mark);
            addressByMark[mark] = 0;
            return true;
        });
        if (ratesSampledAtMs == Long.MIN_VALUE || nowMs - ratesSampledAtMs >= RateEstimator.INTERVAL_MS)
        {
            sampleRates(nowMs);
        }
        return ended;
    }

    /** Feeds every backend's and service's totals to its estimator; {@link #housekeep}, every interval. */
    synchronized void sampleRates(final long nowMs)
    {
        ratesSampledAtMs = nowMs;
        for (final ServiceState state : services.values())
        {
            LbStats total = state.retired;
            for (final BackendState backend : state.backends)
            {
                final LbStats stats = stats(backend);
                backend.rates.sample(nowMs, stats);
                total = total.plus(stats);
            }
            state.rates.sample(nowMs, total);
        }
    }

    /** A backend's counts now: its mark's, less the baseline its mark had when it got it. */
    private LbStats stats(final BackendState backend)
    {
        final int mark = backend.mark;
        nat.markTotals(mark, markTotals);
        final long[] base = backend.baseline;
        // the two counters move apart for a moment around a state change: active is never more than tracked
        final long tracked = Math.max(0, connections.get(mark));
        final long activeNow = Math.min(tracked, Math.max(0, active.get(mark)));
        return new LbStats(scheduled.get(mark), activeNow, tracked - activeNow,
            markTotals[MarkCounters.PACKETS_IN] - base[MarkCounters.PACKETS_IN],
            markTotals[MarkCounters.PACKETS_OUT] - base[MarkCounters.PACKETS_OUT],
            markTotals[MarkCounters.BYTES_IN] - base[MarkCounters.BYTES_IN],
            markTotals[MarkCounters.BYTES_OUT] - base[MarkCounters.BYTES_OUT]);
    }

    /** Every service with its backends, in the order added. */
    public synchronized List<ServiceView> services()
    {
        final List<ServiceView> views = new ArrayList<>();
        for (final ServiceState state : services.values())
        {
            final List<BackendView> backends = new ArrayList<>();
            LbStats total = state.retired;
            for (final BackendState b : state.backends)
            {
                final LbStats stats = stats(b);
                total = total.plus(stats);
                backends.add(new BackendView(b.spec.address(), b.spec.port(), b.spec.weight(), b.draining, b.drainEndsAtMs, b.healthy,
                    stats, b.rates.rates()));
            }
            views.add(new ServiceView(state.service, List.copyOf(backends), total, state.rates.rates()));
        }
        return views;
    }

    /** The scheduler options every service is built with (the Maglev table size). */
    public SchedulerOptions options()
    {
        return options;
    }

    /**
     * Takes {@code gone} out of {@code state}, their totals kept in the service's, publishes the rebuilt
     * scheduler and ends their flows.
     */
    private void removeFrom(final ServiceState state, final List<BackendState> gone)
    {
        for (final BackendState backend : gone)
        {
            state.retired = state.retired.plus(stats(backend).totals());
        }
        state.backends.removeAll(gone);
        state.reschedule(options);
        publish();
        gone.forEach(this::retire);
    }

    private void retire(final BackendState backend)
    {
        final int mark = backend.mark;
        nat.endFlows((oa, op, ra, rp, word) -> ConnectionState.mark(word) == mark);
        retiring.add(mark);
    }

    private ServiceState state(final ServiceKey key)
    {
        final ServiceState state = services.get(key);
        if (state == null)
        {
            throw new IllegalArgumentException("no service " + key);
        }
        return state;
    }

    private BackendState backend(final ServiceKey key, final int address, final int port)
    {
        final BackendState backend = state(key).find(address, port);
        if (backend == null)
        {
            throw new IllegalArgumentException("no backend " + dev.wharf.dataplane.protocol.Ipv4Address.toString(address) + ":" + port +
                " on " + key);
        }
        return backend;
    }

    private void publish()
    {
        final List<ServiceEntry> entries = new ArrayList<>();
        for (final ServiceState state : services.values())
        {
            final int[] byIndex = new int[state.backends.size()];
            final boolean[] pinnable = new boolean[byIndex.length];
            for (int b = 0; b < byIndex.length; b++)
            {
                byIndex[b] = state.backends.get(b).mark;
                pinnable[b] = state.backends.get(b).takesNew();
            }
            entries.add(new ServiceEntry(state.service.key(), state.service.name(), state.scheduler, byIndex, pinnable, state.persistence,
                state.service.mode() == ForwardingMode.DSR, connections, active));
        }
        table = new ServiceTable(entries);
    }

    /** A service as the control thread keeps it: the backends in the order added, the scheduler over them. */
    private static final class ServiceState
    {
        VirtualService service;
        Scheduler scheduler;
        PersistenceTable persistence;
        final List<BackendState> backends = new ArrayList<>();
        /** What its removed backends had counted (totals only). */
        LbStats retired = LbStats.ZERO;
        final RateEstimator rates = new RateEstimator();

        ServiceState(final VirtualService service, final Scheduler scheduler)
        {
            this.service = service;
            this.scheduler = scheduler;
            this.persistence = persistenceOf(service, null);
        }

        /** A table for a persistent service, the previous one kept when the timeout is the same. */
        static PersistenceTable persistenceOf(final VirtualService service, final PersistenceTable previous)
        {
            if (service.persistenceSeconds() == 0)
            {
                return null;
            }
            final long timeoutMs = service.persistenceSeconds() * 1000L;
            return previous != null && previous.timeoutMs() == timeoutMs ? previous : new PersistenceTable(PERSISTENT_CLIENTS, timeoutMs);
        }

        BackendState find(final int address, final int port)
        {
            for (final BackendState backend : backends)
            {
                if (backend.spec.address() == address && backend.spec.port() == port)
                {
                    return backend;
                }
            }
            return null;
        }

        /** The scheduler's view: a draining or unhealthy backend takes no new connection, as one of weight 0. */
        List<BackendWeight> weights()
        {
            final List<BackendWeight> weights = new ArrayList<>(backends.size());
            for (final BackendState backend : backends)
            {
                weights.add(backend.takesNew() ? backend.spec : new BackendWeight(backend.spec.address(), backend.spec.port(), 0));
            }
            return weights;
        }

        /** Rebuilds the scheduler from the previous one, so Maglev moves no flow of a backend that stays. */
        void reschedule(final SchedulerOptions options)
        {
            scheduler = Schedulers.rebuild(scheduler, weights(), optionsOf(service, options));
        }

        /** The options {@code service}'s scheduler is built with: the balancer's, the client's port hashed if it asks. */
        static SchedulerOptions optionsOf(final VirtualService service, final SchedulerOptions options)
        {
            return service.hashSourcePort() ? options.withHashSourcePort(true) : options;
        }
    }

    private static final class BackendState
    {
        BackendWeight spec;
        final int mark;
        /** The mark's packet and byte totals when this backend got it ({@link MarkCounters} order). */
        final long[] baseline;
        final RateEstimator rates = new RateEstimator();
        boolean draining;
        long drainEndsAtMs;
        boolean healthy = true;

        BackendState(final BackendWeight spec, final int mark, final long[] baseline)
        {
            this.spec = spec;
            this.mark = mark;
            this.baseline = baseline;
        }

        /** Whether new connections (and persistent clients) may reach it, whatever its weight. */
        boolean takesNew()
        {
            return !draining && healthy;
        }
    }
}
