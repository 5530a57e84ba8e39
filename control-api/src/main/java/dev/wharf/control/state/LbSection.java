package dev.wharf.control.state;

import dev.wharf.control.api.v1.PersistedVirtualService;
import dev.wharf.dataplane.protocol.Ipv4Address;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The load balancer's section of the {@link DesiredState}: the virtual services with their backends,
 * in the order added. A backend being drained is no longer in it (its connections do not outlive a
 * restart anyway). Immutable; any thread.
 */
public record LbSection(List<Service> services)
{
    public static final LbSection EMPTY = new LbSection(List.of());
    public static final SectionKey<LbSection> KEY = new SectionKey<>("lb", EMPTY, new LbSectionCodec());

    /** A VIP, port and protocol: a service's identity. */
    public record Address(int vip, int port, Protocol protocol)
    {
        @Override
        public String toString()
        {
            return Ipv4Address.toString(vip) + ":" + port + "/" + protocol.label();
        }
    }

    /** A backend: address, port, weight. */
    public record Backend(int address, int port, int weight)
    {
        public String endpoint()
        {
            return Ipv4Address.toString(address) + ":" + port;
        }
    }

    /**
     * A service's health check (what keepalived adds to IPVS): each backend probed every {@code intervalMs},
     * a probe failing after {@code timeoutMs}; {@code fall} failures in a row take it out, {@code rise}
     * successes bring it back.
     *
     * @param kind "tcp" (a TCP connect) or "http" (GET {@code path}, healthy on 2xx and 3xx).
     */
    public record Health(String kind, String path, int intervalMs, int timeoutMs, int fall, int rise)
    {
        public static final String TCP = "tcp";
        public static final String HTTP = "http";

        @Override
        public String toString()
        {
            return (kind.equals(HTTP) ? "http GET " + path : "tcp connect") + " every " + intervalMs + " ms (timeout " + timeoutMs +
                " ms, fall " + fall + ", rise " + rise + ")";
        }
    }

    /**
     * A virtual service and its backends; {@code health} null when it has no health check.
     *
     * @param mode     "nat" or "dsr" (direct server return).
     * @param hashPort sh and mh hash the client's port with its address (ipvsadm's {@code -b sh-port}).
     * @param dnsMode  what the service's name resolves to on the networks' DNS servers: "vip", or "rr" (its healthy
     *                 backends' addresses, rotated: Docker's {@code endpoint_mode: dnsrr}).
     */
    public record Service(
        Address address, String scheduler, int persistent, String name, List<Backend> backends, Health health, String mode, boolean hashPort,
        String dnsMode)
    {
        public static final String NAT = "nat";
        public static final String DSR = "dsr";
        public static final String DNS_VIP = "vip";
        public static final String DNS_ROUND_ROBIN = "rr";

        public Service
        {
            backends = List.copyOf(backends);
        }

        /** A service whose name resolves to its VIP. */
        public Service(
            final Address address, final String scheduler, final int persistent, final String name, final List<Backend> backends,
            final Health health, final String mode, final boolean hashPort)
        {
            this(address, scheduler, persistent, name, backends, health, mode, hashPort, DNS_VIP);
        }

        public Backend backend(final int address, final int port)
        {
            return backends.stream().filter(b -> b.address() == address && b.port() == port).findFirst().orElse(null);
        }

        public Service withBackends(final List<Backend> next)
        {
            return new Service(address, scheduler, persistent, name, next, health, mode, hashPort, dnsMode);
        }

        public Service withHealth(final Health next)
        {
            return new Service(address, scheduler, persistent, name, backends, next, mode, hashPort, dnsMode);
        }
    }

    public LbSection
    {
        services = List.copyOf(services);
    }

    /** {@code service} as the state file keeps it, which is also its record in the cluster store. */
    public static PersistedVirtualService record(final Service service)
    {
        return LbSectionCodec.write(service);
    }

    /** The service a record holds; IllegalArgumentException, naming {@code source}, when it holds none. */
    public static Service fromRecord(final PersistedVirtualService record, final String source)
    {
        try
        {
            return LbSectionCodec.read(record, new PersistedValues(Path.of(source)));
        }
        catch (final StateFileException e)
        {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static LbSection of(final DesiredState state)
    {
        return state.get(KEY);
    }

    public DesiredState in(final DesiredState state)
    {
        return state.with(KEY, this);
    }

    /** The service on {@code address}, or null. */
    public Service service(final Address address)
    {
        return services.stream().filter(s -> s.address().equals(address)).findFirst().orElse(null);
    }

    public LbSection with(final Service service)
    {
        final List<Service> next = new ArrayList<>(services);
        next.add(service);
        return new LbSection(next);
    }

    /** With the service of the same address replaced by {@code service}, in its place. */
    public LbSection replacing(final Service service)
    {
        return new LbSection(services.stream().map(s -> s.address().equals(service.address()) ? service : s).toList());
    }

    public LbSection without(final Address address)
    {
        return new LbSection(services.stream().filter(s -> !s.address().equals(address)).toList());
    }
}
