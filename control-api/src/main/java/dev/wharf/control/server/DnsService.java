package dev.wharf.control.server;

import dev.wharf.control.api.v1.DnsCounter;
import dev.wharf.control.api.v1.DnsName;
import dev.wharf.control.api.v1.DnsServiceGrpc;
import dev.wharf.control.api.v1.GetDnsStatsRequest;
import dev.wharf.control.api.v1.GetDnsStatsResponse;
import dev.wharf.control.api.v1.ListNamesRequest;
import dev.wharf.control.api.v1.ListNamesResponse;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dns.DnsCounters;
import dev.wharf.dns.NetworkNames;
import io.grpc.stub.StreamObserver;

import java.net.InetSocketAddress;
import java.util.Comparator;

/** {@code wharf.v1.DnsService}: the names each network's DNS server answers, and the servers' counters. */
final class DnsService extends DnsServiceGrpc.DnsServiceImplBase
{
    private final DnsController dns;

    DnsService(final DnsController dns)
    {
        this.dns = dns;
    }

    @Override
    public void listNames(final ListNamesRequest request, final StreamObserver<ListNamesResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final DnsController.Listing listing = dns.names(Inputs.networkName(request.getNetwork()));
            final boolean forwards = !listing.network().internal() && !listing.upstreams().isEmpty();
            final ListNamesResponse.Builder out = ListNamesResponse.newBuilder()
                .setNetwork(listing.network().name())
                .setServer(Ipv4Address.toString(listing.network().gateway()))
                .setForwards(forwards);
            if (forwards)
            {
                for (final InetSocketAddress upstream : listing.upstreams())
                {
                    out.addUpstreams(upstream.getHostString() + ":" + upstream.getPort());
                }
            }
            if (listing.names() != null)
            {
                listing.names().names().values().stream().sorted(Comparator.comparing(NetworkNames.Entry::name)).forEach(entry ->
                {
                    final DnsName.Builder name = DnsName.newBuilder()
                        .setName(DnsZoneBuilder.display(entry.name()))
                        .setKind(entry.kind())
                        .setMode(entry.mode() == NetworkNames.Mode.ROUND_ROBIN ? "round-robin" : "fixed")
                        .setSource(entry.source());
                    entry.addresses().forEach(a -> name.addAddresses(Ipv4Address.toString(a)));
                    out.addNames(name);
                });
            }
            return out.build();
        });
    }

    @Override
    public void getStats(final GetDnsStatsRequest request, final StreamObserver<GetDnsStatsResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final GetDnsStatsResponse.Builder out = GetDnsStatsResponse.newBuilder().setCachedAnswers(dns.cachedAnswers());
            for (final DnsCounters.Counter counter : DnsCounters.Counter.values())
            {
                out.addCounters(DnsCounter.newBuilder().setName(counter.label()).setValue(dns.counters().get(counter)));
            }
            return out.build();
        });
    }
}
