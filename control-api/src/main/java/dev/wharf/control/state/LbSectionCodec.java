package dev.wharf.control.state;

import com.google.protobuf.Message;
import dev.wharf.control.api.v1.PersistedBackend;
import dev.wharf.control.api.v1.PersistedHealthCheck;
import dev.wharf.control.api.v1.PersistedLbSection;
import dev.wharf.control.api.v1.PersistedVirtualService;
import dev.wharf.dataplane.protocol.Ipv4Address;

import java.util.ArrayList;
import java.util.List;

/** Keeps the {@link LbSection} as {@code wharf.v1.PersistedLbSection}: the {@code virtualServices} key of {@code state.json}. Stateless. */
final class LbSectionCodec implements SectionCodec<LbSection>
{
    @Override
    public Message defaultMessage()
    {
        return PersistedLbSection.getDefaultInstance();
    }

    @Override
    public Message write(final LbSection section)
    {
        final PersistedLbSection.Builder out = PersistedLbSection.newBuilder();
        for (final LbSection.Service service : section.services())
        {
            out.addVirtualServices(write(service));
        }
        return out.build();
    }

    @Override
    public LbSection read(final Message message, final DesiredState earlier, final PersistedValues values) throws StateFileException
    {
        final List<LbSection.Service> services = new ArrayList<>();
        for (final PersistedVirtualService s : ((PersistedLbSection)message).getVirtualServicesList())
        {
            services.add(read(s, values));
        }
        return new LbSection(services);
    }

    /** One service as {@code wharf.v1.PersistedVirtualService}: an entry of the state file, a record of the cluster store. */
    static PersistedVirtualService write(final LbSection.Service service)
    {
        final PersistedVirtualService.Builder s = PersistedVirtualService.newBuilder()
            .setVip(Ipv4Address.toString(service.address().vip()))
            .setPort(service.address().port())
            .setProtocol(service.address().protocol().label())
            .setScheduler(service.scheduler())
            .setPersistent(service.persistent())
            .setName(service.name())
            .setMode(service.mode())
            .setHashPort(service.hashPort())
            .setDnsMode(service.dnsMode());
        for (final LbSection.Backend backend : service.backends())
        {
            s.addBackends(PersistedBackend.newBuilder()
                .setAddress(Ipv4Address.toString(backend.address())).setPort(backend.port()).setWeight(backend.weight()));
        }
        final LbSection.Health health = service.health();
        if (health != null)
        {
            s.setHealth(PersistedHealthCheck.newBuilder().setKind(health.kind()).setPath(health.path())
                .setIntervalMs(health.intervalMs()).setTimeoutMs(health.timeoutMs()).setFall(health.fall()).setRise(health.rise()));
        }
        return s.build();
    }

    /** One service from its entry; {@code values} names where a bad one is. */
    static LbSection.Service read(final PersistedVirtualService s, final PersistedValues values) throws StateFileException
    {
        final String where = "virtual service " + s.getVip() + ":" + s.getPort() + "/" + s.getProtocol();
        final Protocol protocol = Protocol.byLabel(s.getProtocol());
        if (protocol != Protocol.TCP && protocol != Protocol.UDP)
        {
            throw values.failure(where + ": protocol must be tcp or udp");
        }
        final LbSection.Address address = new LbSection.Address(values.ip(s.getVip(), where), s.getPort(), protocol);
        final List<LbSection.Backend> backends = new ArrayList<>();
        for (final PersistedBackend b : s.getBackendsList())
        {
            backends.add(new LbSection.Backend(values.ip(b.getAddress(), "backend of " + where), b.getPort(), b.getWeight()));
        }
        final LbSection.Health health = !s.hasHealth() ? null : new LbSection.Health(s.getHealth().getKind(), s.getHealth().getPath(),
            s.getHealth().getIntervalMs(), s.getHealth().getTimeoutMs(), s.getHealth().getFall(), s.getHealth().getRise());
        return new LbSection.Service(address, s.getScheduler(), s.getPersistent(), s.getName(), backends, health,
            s.getMode().isEmpty() ? LbSection.Service.NAT : s.getMode(), s.getHashPort(),
            s.getDnsMode().isEmpty() ? LbSection.Service.DNS_VIP : s.getDnsMode());
    }
}
