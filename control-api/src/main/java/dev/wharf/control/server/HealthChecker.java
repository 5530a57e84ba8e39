package dev.wharf.control.server;

import dev.wharf.control.state.LbSection;
import dev.wharf.lb.LoadBalancer;
import dev.wharf.lb.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The load balancer's health checks: every backend of a service with a check is probed at its interval
 * ({@link HealthProbe}, each on a virtual thread of its own), and after {@code fall} failures in a row it
 * is taken out of scheduling ({@link LoadBalancer#setHealthy}), after {@code rise} successes put back.
 * A backend starts healthy. {@link #tick} is called a few times a second by the controller's
 * housekeeping thread; probes report on their own threads, each backend's state under its own lock.
 */
final class HealthChecker implements AutoCloseable
{
    /** A backend's health as listings show it. */
    record Verdict(boolean up, String reason, long changedAtMs)
    {
    }

    private record Key(LbSection.Address service, int address, int port)
    {
    }

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final LoadBalancer balancer;
    private final Supplier<LbSection> services;
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Key, BackendHealth> backends = new ConcurrentHashMap<>();

    HealthChecker(final LoadBalancer balancer, final Supplier<LbSection> services)
    {
        this.balancer = balancer;
        this.services = services;
    }

    /** The health of a checked backend, or null when its service has no check. */
    Verdict verdict(final LbSection.Address service, final int address, final int port)
    {
        final BackendHealth health = backends.get(new Key(service, address, port));
        return health == null ? null : health.verdict();
    }

    /** Starts the probes that are due; forgets backends no longer checked (they are healthy again). */
    void tick(final long nowMs)
    {
        final Set<Key> checked = new HashSet<>();
        for (final LbSection.Service service : services.get().services())
        {
            final LbSection.Health check = service.health();
            if (check == null)
            {
                continue;
            }
            for (final LbSection.Backend backend : service.backends())
            {
                final Key key = new Key(service.address(), backend.address(), backend.port());
                checked.add(key);
                final BackendHealth health = backends.computeIfAbsent(key, k -> new BackendHealth(nowMs));
                if (health.due(nowMs, check))
                {
                    probes.execute(() -> health.report(key, check, HealthProbe.run(check, key.address(), key.port())));
                }
            }
        }
        backends.keySet().removeIf(key ->
        {
            if (checked.contains(key))
            {
                return false;
            }
            balancer.setHealthy(LbController.key(key.service()), key.address(), key.port(), true);
            return true;
        });
    }

    @Override
    public void close()
    {
        probes.shutdownNow();
    }

    /** One backend's run of probe results. */
    private final class BackendHealth
    {
        private int successes;
        private int failures;
        private boolean up = true;
        private String reason = "not probed yet";
        private long changedAtMs;
        private long nextAtMs;
        private boolean inFlight;

        BackendHealth(final long nowMs)
        {
            this.changedAtMs = nowMs;
        }

        synchronized boolean due(final long nowMs, final LbSection.Health check)
        {
            if (inFlight || nowMs < nextAtMs)
            {
                return false;
            }
            inFlight = true;
            nextAtMs = nowMs + check.intervalMs();
            return true;
        }

        synchronized Verdict verdict()
        {
            return new Verdict(up, reason, changedAtMs);
        }

        synchronized void report(final Key key, final LbSection.Health check, final String failure)
        {
            inFlight = false;
            final long now = dev.wharf.dataplane.worker.MonotonicClock.nowMs();
            if (failure == null)
            {
                failures = 0;
                successes++;
                reason = "ok";
                if (!up && successes >= check.rise())
                {
                    change(key, true, now);
                }
                return;
            }
            successes = 0;
            failures++;
            reason = failure;
            if (up && failures >= check.fall())
            {
                change(key, false, now);
            }
        }

        private void change(final Key key, final boolean healthy, final long now)
        {
            up = healthy;
            changedAtMs = now;
            if (!backends.containsKey(key))
            {
                return; // no longer checked: left healthy by tick
            }
            final ServiceKey service = LbController.key(key.service());
            balancer.setHealthy(service, key.address(), key.port(), healthy);
            LOG.info("backend {}:{} of {} is {} ({})", dev.wharf.dataplane.protocol.Ipv4Address.toString(key.address()), key.port(),
                key.service(), healthy ? "up" : "down", reason);
        }
    }
}
