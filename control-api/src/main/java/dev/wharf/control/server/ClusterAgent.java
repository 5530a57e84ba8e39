package dev.wharf.control.server;

import dev.wharf.cluster.ClusterStore;
import dev.wharf.cluster.ClusterStoreException;
import dev.wharf.cluster.LeaseExpiredException;
import dev.wharf.control.api.v1.ClusterEndpointRecord;
import dev.wharf.control.api.v1.ClusterHostRecord;
import dev.wharf.control.api.v1.ClusterNetworkRecord;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.OverlaySection;
import dev.wharf.control.state.PortSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.worker.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The thread that keeps this host in the cluster: it registers the host under a lease and renews it,
 * writes this host's endpoints and address claims under that lease, reads everything under the prefix
 * once and then follows the store's watch from the next revision, and applies what it mirrors: the
 * cluster's networks are created here, the other hosts' endpoints programmed as static VTEP entries with
 * proxy ARP, the cluster's virtual services made here. When the watch is lost (the store gone, or the revision compacted) it reads everything again
 * and applies only the difference, so an entry that did not change never leaves the dataplane. While the
 * store is unreachable nothing is removed: forwarding goes on with the last known state.
 *
 * <p>Thread safety: one thread of its own; the watch's callbacks only queue; status reads are of volatile
 * values; the dataplane is changed only through the controllers, under the {@link StateTransaction}'s lock.
 */
final class ClusterAgent implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAgent.class);
    private static final long POLL_MS = 100;
    private static final long RETRY_MS = 1_000;
    private static final long OWN_RECORDS_PERIOD_MS = 1_000;
    private static final int PROBLEMS_KEPT = 20;

    /** This daemon's view of the cluster, for {@code wharf cluster status}. */
    record Status(
        String state, String reason, long sinceUnixMs, long lease, long appliedRevision, long storeRevision, int hosts, int networks,
        int remoteEndpoints, int localEndpoints, long resyncs, List<String> problems)
    {
    }

    /** A registered host as last watched. */
    record HostView(ClusterHostRecord record, long lease, int endpoints, boolean self)
    {
    }

    private record WatchBatch(int generation, long revision, List<ClusterStore.Change> changes)
    {
    }

    private record WatchLost(int generation, String why, boolean compacted)
    {
    }

    private final ClusterStore store;
    private final ClusterController.Settings settings;
    private final StateTransaction transaction;
    private final IdMap ids;
    private final NetworkController networks;
    private final OverlayController overlay;
    /** Null when the daemon runs without the load balancer. */
    private final LbController lb;
    private final ToIntFunction<String> hostAddressClaim;
    private final ClusterMirror mirror;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    /** This host's records as the store holds them under the current lease: key -> value. */
    private final Map<String, String> written = new ConcurrentHashMap<>();
    /** The MACs of this host's endpoint records left by its run before (an older lease), by key, until written again. */
    private final Map<String, String> earlierMacs = new HashMap<>();
    private final AtomicBoolean localChanged = new AtomicBoolean(true);
    private final ArrayDeque<String> problems = new ArrayDeque<>();
    private final Thread thread;

    private volatile boolean running;
    private volatile long lease;
    private volatile String state = "connecting";
    private volatile String reason = "";
    private volatile long sinceUnixMs = System.currentTimeMillis();
    private volatile long appliedRevision;
    private volatile long storeRevision;
    private volatile long resyncs;
    private volatile int localEndpoints;
    private volatile List<HostView> hostViews = List.of();
    private int generation;
    private AutoCloseable watch;
    private boolean mirrorDirty;

    ClusterAgent(
        final ClusterStore store, final ClusterController.Settings settings, final StateTransaction transaction, final IdMap ids,
        final NetworkController networks, final OverlayController overlay, final LbController lb,
        final ToIntFunction<String> hostAddressClaim)
    {
        this.store = store;
        this.settings = settings;
        this.transaction = transaction;
        this.ids = ids;
        this.networks = networks;
        this.overlay = overlay;
        this.lb = lb;
        this.hostAddressClaim = hostAddressClaim;
        this.mirror = new ClusterMirror(settings.keys());
        this.thread = new Thread(this::run, "wharf-cluster");
        thread.setDaemon(true);
    }

    void start()
    {
        running = true;
        thread.start();
    }

    /** The local state changed (a port came or went): the own records are brought in line on the agent's next turn. */
    void localStateChanged()
    {
        localChanged.set(true);
        events.offer(Boolean.TRUE);
    }

    /** The lease this host's records live under; 0 while it has none (not yet registered, or expired). */
    long lease()
    {
        return lease;
    }

    /** A claim wrote {@code key} under the current lease. */
    void wrote(final String key, final String value)
    {
        written.put(key, value);
    }

    private void run()
    {
        boolean resync = true;
        long nextKeepAlive = 0;
        long nextOwnRecords = 0;
        while (running)
        {
            try
            {
                if (lease == 0)
                {
                    register();
                    nextKeepAlive = System.nanoTime() / 1_000_000 + keepAlivePeriodMs();
                    resync = true;
                }
                if (resync)
                {
                    resync();
                    resync = false;
                }
                resync = drainEvents();
                if (mirrorDirty)
                {
                    mirrorDirty = false;
                    applyMirror();
                }
                final long now = System.nanoTime() / 1_000_000;
                if (localChanged.getAndSet(false) || now >= nextOwnRecords)
                {
                    writeOwnRecords();
                    nextOwnRecords = now + OWN_RECORDS_PERIOD_MS;
                }
                if (now >= nextKeepAlive)
                {
                    if (!store.keepAlive(lease))
                    {
                        leaseExpired();
                        continue;
                    }
                    nextKeepAlive = now + keepAlivePeriodMs();
                }
                setState("connected", "");
            }
            catch (final LeaseExpiredException e)
            {
                leaseExpired(); // a write under a lease that expired while the store was away: retrying it cannot succeed
            }
            catch (final ClusterStoreException e)
            {
                if (!"unreachable".equals(state))
                {
                    LOG.warn("cluster store {}: {}; forwarding goes on with the last known state", store.describe(), e.getMessage());
                }
                setState("unreachable", Inputs.oneLine(e.getMessage()));
                resync = true;
                pause();
            }
            catch (final RuntimeException e)
            {
                LOG.error("cluster agent: {}", e.toString(), e);
                problem("cluster agent: " + e);
                resync = true;
                pause();
            }
        }
    }

    private void leaseExpired()
    {
        problem("the lease of this host expired (the store was out of reach longer than " + settings.leaseTtl().toSeconds() +
            " s): registered again, and this host's records written again");
        lease = 0;
    }

    private long keepAlivePeriodMs()
    {
        return Math.max(500, settings.leaseTtl().toMillis() / 3);
    }

    private void pause()
    {
        try
        {
            Thread.sleep(RETRY_MS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void register()
    {
        final long granted = store.grantLease(settings.leaseTtl());
        final ClusterHostRecord record = ClusterHostRecord.newBuilder().setHost(settings.host())
            .setUnderlay(Ipv4Address.toString(settings.underlay())).setVersion(settings.version())
            .setRegisteredUnixMs(System.currentTimeMillis()).build();
        store.put(settings.keys().host(settings.host()), ClusterRecords.json(record), granted);
        written.clear();
        lease = granted;
        localChanged.set(true);
        LOG.info("registered in the cluster store {} as host {} (lease {}, TTL {} s)", store.describe(), settings.host(),
            Long.toHexString(granted), settings.leaseTtl().toSeconds());
    }

    /** Reads everything under the prefix, mirrors it, and watches from the next revision. */
    private void resync()
    {
        closeWatch();
        final int current = ++generation;
        final ClusterStore.Snapshot snapshot = store.read(settings.keys().prefix());
        mirror.reset(snapshot);
        written.clear();
        earlierMacs.clear();
        for (final ClusterStore.Entry entry : snapshot.entries())
        {
            if (entry.lease() == lease && lease != 0)
            {
                written.put(entry.key(), entry.value());
                continue;
            }
            final ClusterEndpointRecord own = mirror.endpoints().get(entry.key());
            if (own != null && own.getHost().equals(settings.host()) && !own.getMac().isEmpty())
            {
                earlierMacs.put(entry.key(), own.getMac()); // this host's run before: its lease has not expired yet
            }
        }
        appliedRevision = snapshot.revision();
        storeRevision = snapshot.revision();
        watch = store.watch(settings.keys().prefix(), snapshot.revision() + 1, new ClusterStore.WatchListener()
        {
            @Override
            public void onChanges(final long revision, final List<ClusterStore.Change> changes)
            {
                events.offer(new WatchBatch(current, revision, changes));
            }

            @Override
            public void onFailure(final ClusterStoreException failure, final boolean compacted)
            {
                events.offer(new WatchLost(current, failure.getMessage(), compacted));
            }
        });
        resyncs++;
        mirrorDirty = true;
        localChanged.set(true);
        LOG.info("cluster store read at revision {}: {} host(s), {} network(s), {} endpoint(s)", snapshot.revision(), mirror.hosts().size(),
            mirror.networks().size(), mirror.endpoints().size());
    }

    /** Applies the watch's queued changes to the mirror; true when the watch was lost and everything must be read again. */
    private boolean drainEvents()
    {
        Object event;
        try
        {
            event = events.poll(POLL_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        }
        while (event != null)
        {
            if (event instanceof WatchBatch batch && batch.generation() == generation)
            {
                batch.changes().forEach(mirror::apply);
                appliedRevision = Math.max(appliedRevision, batch.revision());
                storeRevision = Math.max(storeRevision, batch.revision());
                mirrorDirty |= !batch.changes().isEmpty();
            }
            else if (event instanceof WatchLost lost && lost.generation() == generation)
            {
                LOG.warn("the watch of the cluster store ended ({}): reading it again", lost.compacted() ? "revision compacted" : lost.why());
                return true;
            }
            event = events.poll();
        }
        return false;
    }

    /** Makes this host what the mirror says: the cluster's networks here, the other hosts' endpoints programmed. */
    private void applyMirror()
    {
        transaction.locked(() ->
        {
            final NetworkSection local = transaction.section(NetworkSection.KEY);
            for (final ClusterNetworkRecord record : mirror.networks().values())
            {
                if (local.network(record.getName()) == null)
                {
                    createHere(record);
                }
            }
            final OverlaySection overlays = transaction.section(OverlaySection.KEY);
            for (final OverlaySection.OverlayNetwork network : overlays.networks())
            {
                if (!mirror.networks().containsKey(network.network()))
                {
                    goneFromTheStore(network);
                }
            }
            for (final OverlaySection.OverlayNetwork network : transaction.section(OverlaySection.KEY).networks())
            {
                overlay.programRemote(network.network(), mirror.remoteEndpoints(network.network(), settings.host()));
            }
        });
        if (lb != null)
        {
            applyServices();
        }
        final List<HostView> views = new ArrayList<>();
        mirror.hosts().forEach((host, entry) ->
            views.add(new HostView(entry.record(), entry.lease(), mirror.endpointsOf(host), host.equals(settings.host()))));
        views.sort((a, b) -> Boolean.compare(b.self(), a.self()));
        hostViews = List.copyOf(views);
        mirror.unreadable().forEach(this::problem);
    }

    /**
     * The cluster's virtual services made here as the store holds them, and those it no longer holds removed; a host
     * with a service on one of its networks gets its own address there, from which it reaches the backends on the
     * other hosts (their replies come back to it, not to their own host's gateway).
     */
    private void applyServices()
    {
        for (final ClusterMirror.SharedService shared : mirror.services().values())
        {
            try
            {
                lb.applyShared(shared.service(), shared.drainSeconds());
            }
            catch (final ControlException e)
            {
                problem("virtual service " + shared.service().address() + " of the cluster cannot be made here: " + e.getMessage());
            }
        }
        for (final LbSection.Service here : lb.sharedServices())
        {
            if (!mirror.services().containsKey(here.address().toString()))
            {
                lb.removeShared(here.address());
            }
        }
        for (final LbSection.Service service : lb.sharedServices())
        {
            for (final OverlaySection.OverlayNetwork network : OverlaySection.of(transaction.state()).networks())
            {
                if (network.hostAddress() == 0 && networks.network(network.network()).subnet().contains(service.address().vip()))
                {
                    try
                    {
                        overlay.assignHostAddress(network.network(), hostAddressClaim.applyAsInt(network.network()));
                        localChanged.set(true);
                    }
                    catch (final ControlException e)
                    {
                        problem("this host has no address of its own on network " + quote(network.network()) + " (" + e.getMessage() +
                            "): its services reach only the backends on this host");
                    }
                }
            }
        }
    }

    private void createHere(final ClusterNetworkRecord record)
    {
        try
        {
            final NetworkSpec spec = ClusterNetworkSpecs.spec(record);
            networks.createShared(spec, OverlayController.DRIVER, ClusterNetworkSpecs.options(record));
            LOG.info("network {} of the cluster created here ({}, created on host {})", record.getName(), ClusterNetworkSpecs.describe(record),
                record.getCreatedBy());
        }
        catch (final ControlException | IllegalArgumentException e)
        {
            problem("network " + quote(record.getName()) + " of the cluster cannot be created here: " + e.getMessage());
        }
    }

    /**
     * An overlay network of this host that the store does not hold: removed on another host (or while this one was
     * away), so it goes here too; unless this host still has ports on it, in which case it is written back, so that
     * the network its containers use stays one network of the whole cluster.
     */
    private void goneFromTheStore(final OverlaySection.OverlayNetwork network)
    {
        final NetworkSpec spec = networks.network(network.network());
        final List<PortSpec> ports = transaction.section(NetworkSection.KEY).portsOf(network.network());
        if (ports.isEmpty())
        {
            try
            {
                networks.removeShared(network.network());
                LOG.info("network {} left the cluster store: removed here", network.network());
            }
            catch (final ControlException e)
            {
                problem("network " + quote(network.network()) + " left the cluster store but stays here: " + e.getMessage());
            }
            return;
        }
        final NetworkController.DriverOptions options = new NetworkController.DriverOptions(network.vni(), network.encapsulation(), network.mtu(),
            null, null, 0);
        final ClusterNetworkRecord record = ClusterNetworkSpecs.record(spec, options, settings.host());
        if (store.createAll(Map.of(settings.keys().network(spec.name()), ClusterRecords.json(record),
            settings.keys().vni(network.encapsulation(), network.vni()), spec.name()), 0))
        {
            problem("network " + quote(spec.name()) + " was missing from the cluster store while " + ports.size() +
                " port(s) of this host use it: written back");
        }
        else
        {
            problem("network " + quote(spec.name()) + " is missing from the cluster store and cannot be written back (its name or VNI " +
                network.vni() + " is taken): its " + ports.size() + " port(s) here reach no other host");
        }
    }

    /** Brings this host's endpoint records and address claims in the store in line with its ports. */
    private void writeOwnRecords()
    {
        final Map<String, String> desired = transaction.locked(this::ownRecords);
        for (final Map.Entry<String, String> record : desired.entrySet())
        {
            final String key = record.getKey();
            if (record.getValue().equals(written.get(key)))
            {
                continue;
            }
            if (settings.keys().rest(key, ClusterKeys.IPAM) == null)
            {
                store.put(key, record.getValue(), lease);
                written.put(key, record.getValue());
                earlierMacs.remove(key);
            }
            else if (store.createAll(Map.of(key, record.getValue()), lease))
            {
                written.put(key, record.getValue());
            }
            else
            {
                final String holder = store.get(key).map(ClusterStore.Entry::value).orElse(null);
                if (record.getValue().equals(holder))
                {
                    store.put(key, holder, lease); // this host's claim from before a restart: under this run's lease now
                    written.put(key, holder);
                }
                else
                {
                    problem("address " + key.substring(key.lastIndexOf('/') + 1) + " of port " + record.getValue() + " is held by " + holder +
                        " in the cluster: change the port's address");
                }
            }
        }
        for (final Map.Entry<String, String> record : new HashMap<>(written).entrySet())
        {
            if (!desired.containsKey(record.getKey()) && !record.getKey().equals(settings.keys().host(settings.host())))
            {
                store.deleteIfValue(record.getKey(), record.getValue());
                written.remove(record.getKey());
            }
        }
    }

    /** The endpoint records and address claims this host's ports on cluster networks make; under the lock. */
    private Map<String, String> ownRecords()
    {
        final OverlaySection overlays = transaction.section(OverlaySection.KEY);
        final Map<String, String> records = new HashMap<>();
        int endpoints = 0;
        for (final PortSpec port : transaction.section(NetworkSection.KEY).ports())
        {
            if (overlays.network(port.network()) == null)
            {
                continue;
            }
            final String key = settings.keys().endpoint(port.network(), settings.host(), port.name());
            final long learned = port.hasMac() ? port.mac() : learnedMac(port);
            final String mac = learned != 0 ? MacAddress.toString(learned) : macInTheStore(key);
            final ClusterEndpointRecord endpoint = ClusterEndpointRecord.newBuilder().setNetwork(port.network()).setHost(settings.host())
                .setPort(port.name()).setMac(mac).setIp(port.hasIp() ? Ipv4Address.toString(port.ip()) : "")
                .setVtep(Ipv4Address.toString(settings.underlay())).build();
            records.put(key, ClusterRecords.json(endpoint));
            endpoints++;
            if (port.hasIp())
            {
                records.put(settings.keys().ipam(port.network(), Ipv4Address.toString(port.ip())), ClusterKeys.holder(settings.host(), port.name()));
            }
        }
        for (final OverlaySection.OverlayNetwork network : overlays.networks())
        {
            if (network.hostAddress() != 0)
            {
                final String ip = Ipv4Address.toString(network.hostAddress());
                final ClusterEndpointRecord endpoint = ClusterEndpointRecord.newBuilder().setNetwork(network.network()).setHost(settings.host())
                    .setPort(ClusterKeys.HOST_ADDRESS_PORT).setMac(MacAddress.toString(OverlayController.hostMac(network.hostAddress())))
                    .setIp(ip).setVtep(Ipv4Address.toString(settings.underlay())).build();
                records.put(settings.keys().endpoint(network.network(), settings.host(), ClusterKeys.HOST_ADDRESS_PORT),
                    ClusterRecords.json(endpoint));
                records.put(settings.keys().ipam(network.network(), ip), ClusterKeys.holder(settings.host(), ClusterKeys.HOST_ADDRESS_PORT));
            }
        }
        localEndpoints = endpoints;
        return records;
    }

    /**
     * The MAC this host's endpoint record {@code key} holds in the store, "" when none: a container's MAC that aged out
     * of the FDB while it was silent, or is not learned again yet after a restart, is still its MAC, and the other hosts
     * keep its entry and proxy ARP meanwhile. A detached port's record is gone from both maps, so a new container on a
     * port of the same name starts with none.
     */
    private String macInTheStore(final String key)
    {
        final String current = written.get(key);
        if (current != null)
        {
            return ClusterRecords.<ClusterEndpointRecord>parse(current, ClusterEndpointRecord.newBuilder()).getMac();
        }
        return earlierMacs.getOrDefault(key, "");
    }

    /** The one MAC learned on the port (a container's), or 0 while there is none or several. */
    private long learnedMac(final PortSpec port)
    {
        final Integer id = ids.port(port.name());
        if (id == null)
        {
            return 0;
        }
        long mac = 0;
        final FdbTable fdb = networks.fdb(port.network());
        for (final FdbTable.Entry entry : fdb.entries(MonotonicClock.nowMs()))
        {
            if (entry.port() == id && !entry.isStatic())
            {
                if (mac != 0)
                {
                    return 0;
                }
                mac = entry.mac();
            }
        }
        return mac;
    }

    /** The other hosts with endpoints on {@code network} as {@code endpoints} (a read of its endpoints) shows. */
    List<String> otherHostsOn(final String network, final ClusterStore.Snapshot endpoints)
    {
        final ClusterMirror read = new ClusterMirror(settings.keys());
        read.reset(endpoints);
        return read.otherHostsOn(network, settings.host());
    }

    private void setState(final String next, final String why)
    {
        if (!next.equals(state) || !why.equals(reason))
        {
            if ("connected".equals(next) && !"connecting".equals(state))
            {
                LOG.info("cluster store {} reachable again", store.describe());
            }
            state = next;
            reason = why;
            sinceUnixMs = System.currentTimeMillis();
        }
    }

    /** Remembers a problem this host cannot fix by itself, once, newest last. */
    void problem(final String text)
    {
        synchronized (problems)
        {
            if (problems.contains(text))
            {
                return;
            }
            if (problems.size() == PROBLEMS_KEPT)
            {
                problems.removeFirst();
            }
            problems.addLast(text);
        }
        LOG.warn("cluster: {}", text);
    }

    Status status()
    {
        final List<String> noted;
        synchronized (problems)
        {
            noted = List.copyOf(problems);
        }
        final List<HostView> hosts = hostViews;
        return new Status(state, reason, sinceUnixMs, lease, appliedRevision, storeRevision, hosts.size(),
            OverlaySection.of(transaction.state()).networks().size(), overlay.remoteEndpointCount(), localEndpoints, resyncs, noted);
    }

    List<HostView> hosts()
    {
        return hostViews;
    }

    private void closeWatch()
    {
        if (watch != null)
        {
            try
            {
                watch.close();
            }
            catch (final Exception e)
            {
                LOG.debug("closing the watch: {}", e.toString());
            }
            watch = null;
        }
    }

    /** Stops the thread and revokes the lease: the other hosts forget this host's endpoints at once. */
    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        closeWatch();
        final long held = lease;
        if (held != 0)
        {
            try
            {
                store.revokeLease(held);
                LOG.info("left the cluster: lease {} revoked", Long.toHexString(held));
            }
            catch (final ClusterStoreException e)
            {
                LOG.warn("cannot revoke the lease on leaving the cluster ({}): the other hosts forget this one when it expires", e.getMessage());
            }
        }
    }
}
