package dev.wharf.control.server;

import dev.wharf.control.api.v1.AddBackendRequest;
import dev.wharf.control.api.v1.AddBackendResponse;
import dev.wharf.control.api.v1.AddServiceRequest;
import dev.wharf.control.api.v1.AddServiceResponse;
import dev.wharf.control.api.v1.Backend;
import dev.wharf.control.api.v1.HealthCheck;
import dev.wharf.control.api.v1.SetHealthRequest;
import dev.wharf.control.api.v1.SetHealthResponse;
import dev.wharf.control.api.v1.ListServicesRequest;
import dev.wharf.control.api.v1.ListServicesResponse;
import dev.wharf.control.api.v1.LoadBalancerServiceGrpc;
import dev.wharf.control.api.v1.RemoveBackendRequest;
import dev.wharf.control.api.v1.RemoveBackendResponse;
import dev.wharf.control.api.v1.RemoveServiceRequest;
import dev.wharf.control.api.v1.RemoveServiceResponse;
import dev.wharf.control.api.v1.ServiceAddress;
import dev.wharf.control.api.v1.SetBackendRequest;
import dev.wharf.control.api.v1.SetBackendResponse;
import dev.wharf.control.api.v1.TrafficRates;
import dev.wharf.control.api.v1.TrafficStats;
import dev.wharf.control.api.v1.VirtualService;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.Protocol;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.worker.MonotonicClock;
import dev.wharf.lb.BackendView;
import dev.wharf.lb.LbRates;
import dev.wharf.lb.LbStats;
import dev.wharf.lb.ServiceView;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.LoadBalancerService}: parses requests and hands them to the {@link LbController}. gRPC executor threads. */
public final class LbService extends LoadBalancerServiceGrpc.LoadBalancerServiceImplBase
{
    /** The longest drain a removal may ask for: a day. */
    static final int MAX_DRAIN_SECONDS = 86_400;

    private final LbController lb;

    public LbService(final LbController lb)
    {
        this.lb = lb;
    }

    @Override
    public void addService(final AddServiceRequest request, final StreamObserver<AddServiceResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final LbSection.Address address = address(request.getAddress());
            final String scheduler = request.getScheduler().isEmpty() ? "rr" : request.getScheduler();
            final String mode = request.getMode().isEmpty() ? LbSection.Service.NAT : request.getMode();
            final LbSection.Service service = new LbSection.Service(address, scheduler, request.getPersistent(), request.getName(),
                java.util.List.of(), null, mode, request.getHashPort(),
                request.getDnsMode().isEmpty() ? LbSection.Service.DNS_VIP : request.getDnsMode());
            return AddServiceResponse.newBuilder().setService(message(lb.addService(service))).build();
        });
    }

    @Override
    public void removeService(final RemoveServiceRequest request, final StreamObserver<RemoveServiceResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            lb.removeService(address(request.getAddress()));
            return RemoveServiceResponse.getDefaultInstance();
        });
    }

    @Override
    public void addBackend(final AddBackendRequest request, final StreamObserver<AddBackendResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final LbSection.Address service = address(request.getService());
            final LbSection.Backend backend = new LbSection.Backend(backendAddress(request.getAddress()),
                request.getPort() == 0 ? service.port() : request.getPort(), request.hasWeight() ? request.getWeight() : 1);
            return AddBackendResponse.newBuilder().setService(message(lb.addBackend(service, backend))).build();
        });
    }

    @Override
    public void setBackend(final SetBackendRequest request, final StreamObserver<SetBackendResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final LbSection.Address service = address(request.getService());
            if (!request.hasWeight())
            {
                throw ControlException.invalid("nothing to change: give the backend's new weight (--weight 0..65535)");
            }
            final int port = request.getPort() == 0 ? service.port() : request.getPort();
            return SetBackendResponse.newBuilder()
                .setService(message(lb.setWeight(service, backendAddress(request.getAddress()), port, request.getWeight()))).build();
        });
    }

    @Override
    public void removeBackend(final RemoveBackendRequest request, final StreamObserver<RemoveBackendResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final LbSection.Address service = address(request.getService());
            if (request.getDrainSeconds() > MAX_DRAIN_SECONDS)
            {
                throw ControlException.invalid("drain must be at most " + MAX_DRAIN_SECONDS + " seconds: " + request.getDrainSeconds());
            }
            final int port = request.getPort() == 0 ? service.port() : request.getPort();
            return RemoveBackendResponse.newBuilder().setService(
                message(lb.removeBackend(service, backendAddress(request.getAddress()), port, request.getDrainSeconds()))).build();
        });
    }

    @Override
    public void list(final ListServicesRequest request, final StreamObserver<ListServicesResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ListServicesResponse.Builder response = ListServicesResponse.newBuilder();
            lb.virtualServices().forEach(view -> response.addServices(message(view)));
            return response.build();
        });
    }

    private static LbSection.Address address(final ServiceAddress address)
    {
        if (address.getVip().isEmpty())
        {
            throw ControlException.invalid("the service's VIP is required (VIP:PORT[/tcp|udp])");
        }
        final int vip = Inputs.ipv4(address.getVip(), "VIP");
        Inputs.checkPort(address.getPort(), "service port");
        final Protocol protocol = Inputs.portProtocol(address.getProtocol(), Protocol.TCP);
        return new LbSection.Address(vip, address.getPort(), protocol);
    }

    private static int backendAddress(final String text)
    {
        if (text.isEmpty())
        {
            throw ControlException.invalid("the backend's address is required (IP[:PORT])");
        }
        return Inputs.ipv4(text, "backend address");
    }

    @Override
    public void setHealth(final SetHealthRequest request, final StreamObserver<SetHealthResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final LbSection.Address service = address(request.getService());
            LbSection.Health check = null;
            if (request.hasHealth())
            {
                final HealthCheck h = request.getHealth();
                final int interval = h.getIntervalMs() == 0 ? 2_000 : h.getIntervalMs();
                final int timeout = h.getTimeoutMs() != 0 ? h.getTimeoutMs() : Math.min(1_000, interval);
                check = new LbSection.Health(h.getKind(), h.getPath(), interval, timeout, h.getFall() == 0 ? 3 : h.getFall(),
                    h.getRise() == 0 ? 2 : h.getRise());
            }
            return SetHealthResponse.newBuilder().setService(message(lb.setHealth(service, check))).build();
        });
    }

    private static TrafficStats stats(final LbStats stats)
    {
        return TrafficStats.newBuilder().setConnections(stats.connections())
            .setActiveConnections(stats.active()).setInactiveConnections(stats.inactive())
            .setPacketsIn(stats.packetsIn()).setPacketsOut(stats.packetsOut())
            .setBytesIn(stats.bytesIn()).setBytesOut(stats.bytesOut()).build();
    }

    private static TrafficRates rates(final LbRates rates)
    {
        return TrafficRates.newBuilder().setConnectionsPerSecond(rates.connections())
            .setPacketsInPerSecond(rates.packetsIn()).setPacketsOutPerSecond(rates.packetsOut())
            .setBytesInPerSecond(rates.bytesIn()).setBytesOutPerSecond(rates.bytesOut()).build();
    }

    private VirtualService message(final ServiceView view)
    {
        final dev.wharf.lb.VirtualService service = view.service();
        final VirtualService.Builder out = VirtualService.newBuilder()
            .setAddress(ServiceAddress.newBuilder().setVip(Ipv4Address.toString(service.key().vip())).setPort(service.key().port())
                .setProtocol(service.key().protocolName()))
            .setScheduler(service.scheduler())
            .setMode(service.mode().label())
            .setPersistent(service.persistenceSeconds())
            .setName(service.name())
            .setHashPort(service.hashSourcePort())
            .setDnsMode(lb.dnsMode(service.key()))
            .setStats(stats(view.stats()))
            .setRates(rates(view.rates()));
        final LbSection.Health check = lb.healthCheck(service.key());
        if (check != null)
        {
            out.setHealth(HealthCheck.newBuilder().setKind(check.kind()).setPath(check.path()).setIntervalMs(check.intervalMs())
                .setTimeoutMs(check.timeoutMs()).setFall(check.fall()).setRise(check.rise()));
        }
        final long now = MonotonicClock.nowMs();
        for (final BackendView b : view.backends())
        {
            final Backend.Builder backend = Backend.newBuilder()
                .setAddress(Ipv4Address.toString(b.address())).setPort(b.port()).setWeight(b.weight())
                .setState(b.draining() ? "draining" : "active")
                .setDrainEndsInMs(b.draining() ? Math.max(0, b.drainEndsAtMs() - now) : 0)
                .setConnections(b.connections()).setScheduled(b.scheduled())
                .setStats(stats(b.stats())).setRates(rates(b.rates()));
            final HealthChecker.Verdict verdict = check == null ? null : lb.verdict(service.key(), b.address(), b.port());
            if (verdict != null)
            {
                backend.setHealth(verdict.up() ? "up" : "down").setHealthReason(verdict.reason())
                    .setHealthChangedMsAgo(Math.max(0, now - verdict.changedAtMs()));
            }
            out.addBackends(backend);
        }
        return out.build();
    }
}
