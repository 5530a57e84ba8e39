package dev.wharf.control.server;

import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.dns.Dns;
import dev.wharf.dns.DnsZones;
import dev.wharf.dns.NetworkNames;
import dev.wharf.lb.ServiceView;
import io.grpc.BindableService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.wharf.dns.DnsCounters;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The DNS feature's controller: keeps the server's names in line with the desired state. It owns no state section of
 * its own (names live on ports and services); it rebuilds every network's names after each change of the state and
 * once a second (a backend's health changes a round-robin service's addresses), and publishes them when they differ.
 */
public final class DnsController implements Feature
{
    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dns dns;
    private final Supplier<List<ServiceView>> lbViews;

    /** @param lbViews the load balancer's services and their health; empty when there is no load balancer. */
    public DnsController(final StateTransaction transaction, final IdMap ids, final Dns dns, final Supplier<List<ServiceView>> lbViews)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dns = dns;
        this.lbViews = lbViews;
        transaction.onChange(this::refresh);
    }

    /** Rebuilds and publishes every network's names. */
    void refresh()
    {
        transaction.locked(() ->
        {
            final DnsZones next = DnsZoneBuilder.build(transaction.state(), ids::network, lbViews.get());
            if (!same(next, dns.zones()))
            {
                dns.publish(next);
            }
        });
    }

    private static boolean same(final DnsZones a, final DnsZones b)
    {
        return a.networks().equals(b.networks());
    }

    @Override
    public void restore(final dev.wharf.control.state.DesiredState saved)
    {
        refresh();
    }

    @Override
    public void reconcile()
    {
        refresh();
    }

    /** What network {@code name}'s server answers; NOT_FOUND for an unknown network. */
    public Listing names(final String name)
    {
        return transaction.locked(() ->
        {
            final NetworkSpec network = NetworkSection.of(transaction.state()).network(name);
            if (network == null)
            {
                throw ControlException.notFound("network " + quote(name) + " not found");
            }
            final Integer index = ids.network(name);
            final NetworkNames names = index == null ? null : dns.zones().network(index);
            return new Listing(network, names, dns.settings().upstreams());
        });
    }

    /** One network's names as the server has them (null before the network is in the dataplane). */
    public record Listing(NetworkSpec network, NetworkNames names, List<InetSocketAddress> upstreams)
    {
    }

    public DnsCounters counters()
    {
        return dns.counters();
    }

    public int cachedAnswers()
    {
        return dns.cachedAnswers();
    }

    @Override
    public List<BindableService> services()
    {
        return List.of(new DnsService(this));
    }

    @Override
    public void bindMetrics(final MeterRegistry registry)
    {
        for (final DnsCounters.Counter counter : DnsCounters.Counter.values())
        {
            FunctionCounter.builder("wharf_dns_events", dns.counters(), c -> c.get(counter))
                .description("The DNS servers' queries, answers and drops, by what happened")
                .tag("event", counter.label()).register(registry);
        }
        Gauge.builder("wharf_dns_cached_answers", dns, Dns::cachedAnswers).description("Upstream answers in the DNS cache").register(registry);
    }
}
