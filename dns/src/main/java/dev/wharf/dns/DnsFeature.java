package dev.wharf.dns;

import dev.wharf.dataplane.graph.FeatureArc;
import dev.wharf.dataplane.graph.GraphComposer;
import dev.wharf.dataplane.graph.GraphFeature;

import java.util.function.Supplier;

/** DNS's node on the core's arcs: dns-punt on ip4-local-in, before the core answers the gateway's other traffic. */
final class DnsFeature implements GraphFeature
{
    private final int service;
    private final Supplier<DnsZones> zones;

    DnsFeature(final int service, final Supplier<DnsZones> zones)
    {
        this.service = service;
        this.zones = zones;
    }

    @Override
    public String name()
    {
        return "dns";
    }

    @Override
    public void contribute(final int worker, final GraphComposer composer)
    {
        composer.feature(FeatureArc.IP4_LOCAL, new DnsPuntNode(service, zones));
    }
}
