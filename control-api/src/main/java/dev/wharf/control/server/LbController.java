package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.OverlaySection;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.SectionKey;
import dev.wharf.control.state.UplinkSection;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.lb.LoadBalancer;
import dev.wharf.lb.ServiceKey;
import dev.wharf.lb.ServiceView;
import dev.wharf.lb.VirtualService;
import dev.wharf.lb.schedule.BackendWeight;
import dev.wharf.lb.schedule.Schedulers;
import io.grpc.BindableService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The load balancer's controller: checks every change as the API's contract says, keeps the services in
 * the state's {@link LbSection} and applies them to the dataplane's {@link LoadBalancer}. A housekeeping
 * thread ends due drains a few times a second. Threads: gRPC executors and the daemon's main thread, one
 * change at a time under the state transaction's lock.
 */
public final class LbController implements Feature, PortController.Dependent
{
    /**
     * Where services on the cluster's addresses are kept (the cluster feature): a change of one is written there
     * first, and made here only when that succeeded, so that every host applies the same change. Called under the lock.
     */
    public interface Sharing
    {
        /** True when the service on {@code vip} is the cluster's (its VIP on a cluster network) rather than this host's only. */
        boolean shares(int vip);

        /**
         * Writes a change to the store: {@code before} null for a new service, {@code after} null for a removed one;
         * {@code drained} the backend the change removes (or null), its connections kept {@code drainSeconds}.
         * Refuses with a {@link ControlException} (UNAVAILABLE without the store) and then nothing changed.
         */
        void write(LbSection.Service before, LbSection.Service after, LbSection.Backend drained, int drainSeconds);
    }

    /** The limits of a health check (the API's checks, the saved state's too). */
    public static final int HEALTH_INTERVAL_MIN_MS = 100;
    public static final int HEALTH_INTERVAL_MAX_MS = 3_600_000;
    public static final int HEALTH_COUNT_MAX = 100;
    private static final Pattern HTTP_PATH = Pattern.compile("/[\\x21-\\x7E]{0,255}");
    private static final long HOUSEKEEPING_MS = 200;
    /** The longest persistence: a day (IPVS allows more; a template older than that is a stale one). */
    public static final int MAX_PERSISTENT_SECONDS = 86_400;
    /** The schedulers that hash the client, and may hash its port too. */
    private static final List<String> HASHING_SCHEDULERS = List.of("sh", "mh");
    private static final Logger LOG = LoggerFactory.getLogger(LbController.class);

    private final StateTransaction transaction;
    private final LoadBalancer balancer;
    private final ScheduledExecutorService housekeeping;
    private final HealthChecker health;
    /** The per-service and per-backend meters, once {@link #bindMetrics} has a registry. */
    private LbMetrics metrics;
    /** Set by the cluster feature at assembly; null on a single host. */
    private Sharing sharing;

    public LbController(final StateTransaction transaction, final LoadBalancer balancer)
    {
        this.transaction = transaction;
        this.balancer = balancer;
        this.health = new HealthChecker(balancer, () -> transaction.locked(this::section));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "wharf-lb-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(this::housekeep, HOUSEKEEPING_MS, HOUSEKEEPING_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public List<SectionKey<?>> sections()
    {
        return List.of(LbSection.KEY);
    }

    @Override
    public List<BindableService> services()
    {
        return List.of(new LbService(this));
    }

    private LbSection section()
    {
        return transaction.section(LbSection.KEY);
    }

    /** Adds a virtual service with no backends. */
    public ServiceView addService(final LbSection.Service service)
    {
        return transaction.locked(() ->
        {
            checkService(transaction.state(), section(), service);
            share(null, service, null, 0);
            balancer.addService(virtual(service));
            transaction.commit(section().with(service).in(transaction.state()), () -> balancer.removeService(key(service.address())));
            LOG.info("virtual service added: {} ({})", service.address(), service.scheduler());
            return view(service.address());
        });
    }

    /** Removes a service; its connections end. */
    public void removeService(final LbSection.Address address)
    {
        transaction.locked(() ->
        {
            final LbSection section = section();
            share(service(section, address), null, null, 0);
            transaction.commit(section.without(address).in(transaction.state()), () -> { });
            balancer.removeService(key(address));
            LOG.info("virtual service removed: {}", address);
        });
    }

    /** Adds a backend to a service. */
    public ServiceView addBackend(final LbSection.Address address, final LbSection.Backend backend)
    {
        return transaction.locked(() ->
        {
            final LbSection section = section();
            final LbSection.Service service = service(section, address);
            checkBackend(service, backend);
            if (service.backend(backend.address(), backend.port()) != null)
            {
                throw ControlException.alreadyExists("backend " + backend.endpoint() + " is on " + address + " already");
            }
            final List<LbSection.Backend> next = new ArrayList<>(service.backends());
            next.add(backend);
            share(service, service.withBackends(next), null, 0);
            balancer.addBackend(key(address), weight(backend));
            transaction.commit(section.replacing(service.withBackends(next)).in(transaction.state()),
                () -> balancer.removeBackend(key(address), backend.address(), backend.port(), 0, MonotonicClock.nowMs()));
            return view(address);
        });
    }

    /** Changes a backend's weight (0 quiesces it). */
    public ServiceView setWeight(final LbSection.Address address, final int backendAddress, final int port, final int weight)
    {
        return transaction.locked(() ->
        {
            final LbSection section = section();
            final LbSection.Service service = service(section, address);
            final LbSection.Backend found = backend(service, backendAddress, port);
            final LbSection.Backend changed = new LbSection.Backend(backendAddress, port, weight);
            checkBackend(service, changed);
            final LbSection.Service next = service.withBackends(service.backends().stream().map(b -> b == found ? changed : b).toList());
            share(service, next, null, 0);
            balancer.setWeight(key(address), backendAddress, port, weight);
            transaction.commit(section.replacing(next).in(transaction.state()),
                () -> balancer.setWeight(key(address), backendAddress, port, found.weight()));
            return view(address);
        });
    }

    /** Removes a backend, its TCP connections ending after {@code drainSeconds}. */
    public ServiceView removeBackend(final LbSection.Address address, final int backendAddress, final int port, final int drainSeconds)
    {
        return transaction.locked(() ->
        {
            final LbSection section = section();
            final LbSection.Service service = service(section, address);
            final LbSection.Backend found = backend(service, backendAddress, port);
            final LbSection.Service next = service.withBackends(service.backends().stream().filter(b -> b != found).toList());
            share(service, next, found, drainSeconds);
            transaction.commit(section.replacing(next).in(transaction.state()), () -> { });
            balancer.removeBackend(key(address), backendAddress, port, drainSeconds * 1000L, MonotonicClock.nowMs());
            return view(address);
        });
    }

    /** Sets a service's health check, or removes it ({@code check} null). */
    public ServiceView setHealth(final LbSection.Address address, final LbSection.Health check)
    {
        return transaction.locked(() ->
        {
            final LbSection section = section();
            final LbSection.Service service = service(section, address);
            if (check != null)
            {
                checkHealth(service, check);
            }
            share(service, service.withHealth(check), null, 0);
            transaction.commit(section.replacing(service.withHealth(check)).in(transaction.state()), () -> { });
            LOG.info("health check of {}: {}", address, check == null ? "none" : check);
            return view(address);
        });
    }

    /** From now on services on the cluster's addresses are changed through {@code cluster}; at assembly. */
    public void share(final Sharing cluster)
    {
        transaction.locked(() -> sharing = cluster);
    }

    private void share(final LbSection.Service before, final LbSection.Service after, final LbSection.Backend drained, final int drainSeconds)
    {
        final LbSection.Service either = after != null ? after : before;
        if (sharing != null && sharing.shares(either.address().vip()))
        {
            sharing.write(before, after, drained, drainSeconds);
        }
    }

    /** This host's services that are the cluster's; under the lock. */
    public List<LbSection.Service> sharedServices()
    {
        return transaction.locked(() -> sharing == null ? List.<LbSection.Service>of() :
            section().services().stream().filter(s -> sharing.shares(s.address().vip())).toList());
    }

    /**
     * Makes the service on {@code wanted}'s address here what the cluster store holds (the cluster agent, for a
     * change another host made): backends added, reweighted or removed (with {@code drainSeconds}' grace, by
     * endpoint) one by one, so that connections to the backends that stay are untouched; a service whose
     * scheduler, mode or options differ is made afresh. Refuses with a {@link ControlException} as the API would.
     */
    public void applyShared(final LbSection.Service wanted, final Map<String, Integer> drainSeconds)
    {
        transaction.locked(() ->
        {
            final LbSection section = section();
            final LbSection.Service here = section.service(wanted.address());
            if (wanted.equals(here))
            {
                return;
            }
            if (here == null || !here.withBackends(List.of()).withHealth(null).equals(wanted.withBackends(List.of()).withHealth(null)))
            {
                final LbSection others = section.without(wanted.address());
                check(others.in(transaction.state()), wanted);
                if (here != null)
                {
                    balancer.removeService(key(here.address()));
                }
                balancer.addService(virtual(wanted));
                wanted.backends().forEach(b -> balancer.addBackend(key(wanted.address()), weight(b)));
                transaction.commit((here == null ? section.with(wanted) : section.replacing(wanted)).in(transaction.state()), () -> { });
                LOG.info("virtual service {} of the cluster {} here ({})", wanted.address(), here == null ? "added" : "made afresh",
                    wanted.scheduler());
                return;
            }
            wanted.backends().forEach(b -> checkBackend(wanted, b));
            if (wanted.health() != null)
            {
                checkHealth(wanted, wanted.health());
            }
            final ServiceKey key = key(wanted.address());
            final long now = MonotonicClock.nowMs();
            for (final LbSection.Backend old : here.backends())
            {
                if (wanted.backend(old.address(), old.port()) == null)
                {
                    balancer.removeBackend(key, old.address(), old.port(), drainSeconds.getOrDefault(old.endpoint(), 0) * 1000L, now);
                }
            }
            for (final LbSection.Backend backend : wanted.backends())
            {
                final LbSection.Backend old = here.backend(backend.address(), backend.port());
                if (old == null)
                {
                    balancer.addBackend(key, weight(backend));
                }
                else if (old.weight() != backend.weight())
                {
                    balancer.setWeight(key, backend.address(), backend.port(), backend.weight());
                }
            }
            transaction.commit(section.replacing(wanted).in(transaction.state()), () -> { });
        });
    }

    /** Removes a service of the cluster that left the store (the cluster agent); its connections end. */
    public void removeShared(final LbSection.Address address)
    {
        transaction.locked(() ->
        {
            final LbSection section = section();
            if (section.service(address) != null)
            {
                transaction.commit(section.without(address).in(transaction.state()), () -> { });
                balancer.removeService(key(address));
                LOG.info("virtual service {} left the cluster store: removed here", address);
            }
        });
    }

    /** The API's checks of one service with its backends and health check against {@code state}'s other services. */
    private static void check(final DesiredState state, final LbSection.Service service)
    {
        checkService(state, LbSection.of(state), service.withBackends(List.of()));
        if (service.health() != null)
        {
            checkHealth(service, service.health());
        }
        final Set<Long> seen = new HashSet<>();
        for (final LbSection.Backend backend : service.backends())
        {
            checkBackend(service, backend);
            if (!seen.add((backend.address() & 0xFFFF_FFFFL) << 16 | backend.port()))
            {
                throw ControlException.alreadyExists("backend " + backend.endpoint() + " twice on " + service.address());
            }
        }
    }

    /** The health check of the service on {@code key}, or null. */
    public LbSection.Health healthCheck(final ServiceKey key)
    {
        return transaction.locked(() -> section().services().stream().filter(s -> key(s.address()).equals(key)).map(LbSection.Service::health)
            .filter(java.util.Objects::nonNull).findFirst().orElse(null));
    }

    /** A checked backend's health, or null. */
    HealthChecker.Verdict verdict(final ServiceKey key, final int address, final int port)
    {
        return health.verdict(new LbSection.Address(key.vip(), key.port(), key.protocol() == ServiceKey.TCP ? Protocol.TCP : Protocol.UDP),
            address, port);
    }

    private static void checkHealth(final LbSection.Service service, final LbSection.Health check)
    {
        if (service.address().protocol() != Protocol.TCP)
        {
            throw ControlException.invalid("health checks probe TCP: " + service.address() + " is a UDP service");
        }
        if (!check.kind().equals(LbSection.Health.TCP) && !check.kind().equals(LbSection.Health.HTTP))
        {
            throw ControlException.invalid("health check kind must be tcp or http: " + quote(check.kind()));
        }
        if (check.kind().equals(LbSection.Health.HTTP) && !HTTP_PATH.matcher(check.path()).matches())
        {
            throw ControlException.invalid("invalid HTTP path " + quote(check.path()) + ": it starts with / and holds no spaces (at most 256)");
        }
        if (check.intervalMs() < HEALTH_INTERVAL_MIN_MS || check.intervalMs() > HEALTH_INTERVAL_MAX_MS)
        {
            throw ControlException.invalid("health check interval must be " + HEALTH_INTERVAL_MIN_MS + " ms..1h: " + check.intervalMs() + " ms");
        }
        if (check.timeoutMs() < 1 || check.timeoutMs() > check.intervalMs())
        {
            throw ControlException.invalid("health check timeout must be 1 ms..the interval (" + check.intervalMs() + " ms): " +
                check.timeoutMs() + " ms");
        }
        if (check.fall() < 1 || check.fall() > HEALTH_COUNT_MAX || check.rise() < 1 || check.rise() > HEALTH_COUNT_MAX)
        {
            throw ControlException.invalid("fall and rise must be 1.." + HEALTH_COUNT_MAX + ": fall " + check.fall() + ", rise " + check.rise());
        }
    }

    /** The DNS mode of the service on {@code key} ("vip" when it is not in the state). */
    public String dnsMode(final ServiceKey key)
    {
        return transaction.section(LbSection.KEY).services().stream()
            .filter(s -> key(s.address()).equals(key)).map(LbSection.Service::dnsMode).findFirst().orElse(LbSection.Service.DNS_VIP);
    }

    /** Every service with its backends and counts. */
    public List<ServiceView> virtualServices()
    {
        return balancer.services();
    }

    /** The service on {@code address} as the balancer has it now. */
    private ServiceView view(final LbSection.Address address)
    {
        final ServiceKey key = key(address);
        return balancer.services().stream().filter(s -> s.service().key().equals(key)).findFirst().orElseThrow();
    }

    private void housekeep()
    {
        try
        {
            final long now = MonotonicClock.nowMs();
            balancer.housekeep(now);
            health.tick(now);
        }
        catch (final RuntimeException e)
        {
            LOG.warn("load balancer housekeeping failed", e);
        }
    }

    // ---- the API's checks, the saved state's too ----

    private static LbSection.Service service(final LbSection section, final LbSection.Address address)
    {
        final LbSection.Service service = section.service(address);
        if (service == null)
        {
            throw ControlException.notFound("no virtual service " + address + " (wharf lb ls lists them)");
        }
        return service;
    }

    private static LbSection.Backend backend(final LbSection.Service service, final int address, final int port)
    {
        final LbSection.Backend backend = service.backend(address, port);
        if (backend == null)
        {
            throw ControlException.notFound("no backend " + Ipv4Address.toString(address) + ":" + port + " on " + service.address());
        }
        return backend;
    }

    private static void checkService(final DesiredState state, final LbSection section, final LbSection.Service service)
    {
        final LbSection.Address address = service.address();
        Inputs.checkUnicastHost(address.vip(), "VIP");
        Inputs.checkPort(address.port(), "service port");
        if (address.protocol() != Protocol.TCP && address.protocol() != Protocol.UDP)
        {
            throw ControlException.invalid("a virtual service is tcp or udp, not " + address.protocol().label());
        }
        if (!service.mode().equals(LbSection.Service.NAT) && !service.mode().equals(LbSection.Service.DSR))
        {
            throw ControlException.invalid("mode must be nat or dsr (direct server return): " + quote(service.mode()));
        }
        if (!Schedulers.names().contains(service.scheduler()))
        {
            throw ControlException.invalid("unknown scheduler " + quote(service.scheduler()) + ": expected one of " +
                String.join(", ", Schedulers.names()));
        }
        if (service.hashPort() && !HASHING_SCHEDULERS.contains(service.scheduler()))
        {
            throw ControlException.invalid("--hash-port is for the hashing schedulers sh and mh, not " + service.scheduler());
        }
        if (!service.dnsMode().equals(LbSection.Service.DNS_VIP) && !service.dnsMode().equals(LbSection.Service.DNS_ROUND_ROBIN))
        {
            throw ControlException.invalid("--dns-mode must be vip (the name resolves to the VIP) or rr (to the healthy backends in turn): " +
                quote(service.dnsMode()));
        }
        if (service.dnsMode().equals(LbSection.Service.DNS_ROUND_ROBIN) && service.name().isEmpty())
        {
            throw ControlException.invalid("--dns-mode rr needs --name: the name is what resolves to the backends");
        }
        if (service.persistent() < 0 || service.persistent() > MAX_PERSISTENT_SECONDS)
        {
            throw ControlException.invalid("persistence must be 0.." + MAX_PERSISTENT_SECONDS + " seconds: " + service.persistent());
        }
        if (!service.name().isEmpty())
        {
            Inputs.name(service.name(), "service");
        }
        if (section.service(address) != null)
        {
            throw ControlException.alreadyExists("virtual service " + address + " exists");
        }
        if (!service.name().isEmpty() && section.services().stream().anyMatch(s -> s.name().equals(service.name())))
        {
            throw ControlException.alreadyExists("a virtual service is named " + quote(service.name()) + " already");
        }
        final String owner = addressOwner(state, address.vip());
        if (owner != null)
        {
            throw ControlException.precondition("VIP " + Ipv4Address.toString(address.vip()) + " is " + owner +
                ": a VIP must be an address of its own");
        }
    }

    /** Who holds {@code address} among the switch's own and the containers' addresses, or null. */
    private static String addressOwner(final DesiredState state, final int address)
    {
        final NetworkSection networks = NetworkSection.of(state);
        for (final NetworkSpec network : networks.networks())
        {
            if (network.gateway() == address)
            {
                return "the gateway of network " + quote(network.name());
            }
            if (network.subnet().contains(address) && (address == network.subnet().network() || address == network.subnet().broadcast()))
            {
                return "not a host address of network " + quote(network.name());
            }
        }
        for (final PortSpec port : networks.ports())
        {
            if (port.hasIp() && port.ip() == address)
            {
                return "the address of port " + quote(port.name()) + " on network " + quote(port.network());
            }
        }
        for (final OverlaySection.OverlayNetwork network : OverlaySection.of(state).networks())
        {
            if (network.hostAddress() == address)
            {
                return "this host's own address on network " + quote(network.network());
            }
        }
        final UplinkSpec uplink = UplinkSection.of(state);
        if (uplink != null && (uplink.address() == address || uplink.gateway() == address))
        {
            return uplink.address() == address ? "the uplink's address" : "the uplink's gateway";
        }
        return null;
    }

    private static void checkBackend(final LbSection.Service service, final LbSection.Backend backend)
    {
        Inputs.checkUnicastHost(backend.address(), "backend address");
        Inputs.checkPort(backend.port(), "backend port");
        if (backend.weight() < 0 || backend.weight() > BackendWeight.MAX_WEIGHT)
        {
            throw ControlException.invalid("weight must be 0.." + BackendWeight.MAX_WEIGHT + ": " + backend.weight());
        }
        if (service.mode().equals(LbSection.Service.DSR) && backend.port() != service.address().port())
        {
            throw ControlException.invalid("a direct-server-return backend listens on the service's port " + service.address().port() +
                " (the packet reaches it unchanged), not " + backend.port());
        }
        if (backend.address() == service.address().vip())
        {
            throw ControlException.invalid("a backend cannot be the VIP itself (" + Ipv4Address.toString(backend.address()) + ")");
        }
    }

    /** Checks the saved services as the API would have: each as if added in turn, with its backends. */
    @Override
    public void check(final DesiredState saved)
    {
        LbSection section = LbSection.EMPTY;
        for (final LbSection.Service service : LbSection.of(saved).services())
        {
            check(section.in(saved), service);
            section = section.with(service);
        }
    }

    @Override
    public void restore(final DesiredState saved)
    {
        final LbSection section = LbSection.of(saved);
        transaction.locked(() ->
        {
            for (final LbSection.Service service : section.services())
            {
                balancer.addService(virtual(service));
                for (final LbSection.Backend backend : service.backends())
                {
                    balancer.addBackend(key(service.address()), weight(backend));
                }
            }
            transaction.adopt(section.in(transaction.state()));
        });
        if (!section.services().isEmpty())
        {
            LOG.info("restored {} virtual services", section.services().size());
        }
    }

    /** A container's address may not be a VIP: the VIP's traffic would never reach it. */
    @Override
    public void checkAttach(final PortSpec port)
    {
        if (!port.hasIp())
        {
            return;
        }
        for (final LbSection.Service service : section().services())
        {
            if (service.address().vip() == port.ip())
            {
                throw ControlException.precondition("IP " + Ipv4Address.toString(port.ip()) + " is the VIP of virtual service " +
                    service.address() + ": a port's address must not be a VIP (wharf lb rm " + service.address() + " first)");
            }
        }
    }

    @Override
    public void bindMetrics(final MeterRegistry registry)
    {
        Gauge.builder("wharf_lb_services", () -> virtualServices().size()).description("Virtual services").register(registry);
        metrics = new LbMetrics(registry);
    }

    /** The per-service and per-backend meters brought in line with the services now. */
    @Override
    public void beforeScrape()
    {
        if (metrics != null)
        {
            metrics.reconcile(virtualServices());
        }
    }

    static ServiceKey key(final LbSection.Address address)
    {
        return new ServiceKey(address.vip(), address.port(), address.protocol().number());
    }

    private static VirtualService virtual(final LbSection.Service service)
    {
        return new VirtualService(key(service.address()), service.scheduler(), service.persistent(), service.name(),
            service.mode().equals(LbSection.Service.DSR) ? dev.wharf.lb.ForwardingMode.DSR : dev.wharf.lb.ForwardingMode.NAT,
            service.hashPort());
    }

    private static BackendWeight weight(final LbSection.Backend backend)
    {
        return new BackendWeight(backend.address(), backend.port(), backend.weight());
    }
}
