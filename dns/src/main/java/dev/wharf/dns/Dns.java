package dev.wharf.dns;

import dev.wharf.dataplane.graph.GraphFeature;
import dev.wharf.dataplane.worker.Dataplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Service discovery as the control plane drives it: a DNS server answering on every served network's gateway
 * address (port 53, UDP and TCP), from names the control plane publishes ({@link #publish}), forwarding other names to the
 * upstream resolvers. Its node joins the graph through {@link #feature()} before the dataplane exists; {@link #bind}
 * then registers the server with the dataplane's punt thread (before the dataplane starts).
 */
public final class Dns implements AutoCloseable
{
    /** This feature's punt service id. */
    public static final int PUNT_SERVICE = 1;
    /** Queries a second one source may ask before it is refused (bursts of twice that). */
    public static final int RATE_PER_SOURCE_DEFAULT = 1_000;

    /**
     * @param upstreams     resolvers for names no network has; empty: nothing is forwarded (such names are refused).
     * @param ratePerSource queries a second per source; 0: no limit.
     */
    public record Settings(List<InetSocketAddress> upstreams, int ratePerSource)
    {
        public Settings
        {
            upstreams = List.copyOf(upstreams);
            if (ratePerSource < 0)
            {
                throw new IllegalArgumentException("the DNS rate limit must be >= 0: " + ratePerSource);
            }
        }
    }

    private final Settings settings;
    private final DnsFeature feature;
    private final DnsCounters counters = new DnsCounters();
    private volatile DnsZones zones = DnsZones.EMPTY;
    private UpstreamResolver upstream;
    private boolean bound;

    public Dns(final Settings settings)
    {
        this.settings = settings;
        this.feature = new DnsFeature(PUNT_SERVICE, this::zones);
    }

    public GraphFeature feature()
    {
        return feature;
    }

    /** Registers the server with {@code dataplane}'s punt thread and opens the upstream socket; once, before the dataplane starts. */
    public synchronized Dns bind(final Dataplane dataplane)
    {
        if (bound)
        {
            throw new IllegalStateException("DNS is bound to a dataplane already");
        }
        bound = true;
        try
        {
            upstream = settings.upstreams().isEmpty() ? null :
                new UpstreamResolver(settings.upstreams(), dataplane.punt()::channel, counters);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the DNS upstream socket: " + ex.getMessage(), ex);
        }
        dataplane.punt().register(PUNT_SERVICE, new DnsServer(this::zones, upstream, settings.ratePerSource(),
            dataplane.punt()::channel, counters));
        return this;
    }

    /** Publishes every network's names; the next query sees them. */
    public void publish(final DnsZones zones)
    {
        this.zones = zones;
    }

    public DnsZones zones()
    {
        return zones;
    }

    public DnsCounters counters()
    {
        return counters;
    }

    public Settings settings()
    {
        return settings;
    }

    /** Answers kept from upstream now. */
    public int cachedAnswers()
    {
        final UpstreamResolver resolver = upstream;
        return resolver == null ? 0 : resolver.cacheSize();
    }

    @Override
    public synchronized void close() throws IOException
    {
        if (upstream != null)
        {
            upstream.close();
        }
    }
}
