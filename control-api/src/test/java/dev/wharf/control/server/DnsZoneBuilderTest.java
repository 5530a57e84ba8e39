package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.Protocol;
import dev.wharf.dns.DnsZones;
import dev.wharf.dns.NetworkNames;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which names each network's DNS server answers, from the desired state alone. */
class DnsZoneBuilderTest
{
    private static final int FRONT_NET = 0x0A0A0000;
    private static final int BACK_NET = 0x0A140000;

    private static PortSpec port(final String name, final String network, final int ip, final String containerName, final String... aliases)
    {
        return new PortSpec(name, network, PortKind.AF_PACKET, ip, PortSpec.NO_MAC, 0, List.of(), 0, containerName, List.of(aliases));
    }

    private static LbSection.Service service(final int vip, final String name, final String dnsMode, final LbSection.Backend... backends)
    {
        return new LbSection.Service(new LbSection.Address(vip, 80, Protocol.TCP), "rr", 0, name, List.of(backends), null,
            LbSection.Service.NAT, false, dnsMode);
    }

    private static DnsZones build()
    {
        final NetworkSection networks = NetworkSection.EMPTY
            .withNetwork(new NetworkSpec("front", new Cidr(FRONT_NET, 24), FRONT_NET + 1, 0x02420a0a0001L, 0))
            .withNetwork(new NetworkSpec("back", new Cidr(BACK_NET, 24), BACK_NET + 1, 0x02420a140001L, 0, true, true, true))
            .withPort(port("c1", "front", FRONT_NET + 2, "web-1", "web"))
            .withPort(port("c2", "front", FRONT_NET + 3, "Web-2", "web"))
            .withPort(port("c3", "back", BACK_NET + 2, "db"))
            .withPort(port("c4", "front", PortSpec.NO_IP, ""));
        final LbSection lb = new LbSection(List.of(
            service(FRONT_NET + 100, "api", LbSection.Service.DNS_VIP),
            service(0x0A600001, "pool", LbSection.Service.DNS_ROUND_ROBIN,
                new LbSection.Backend(BACK_NET + 5, 80, 1), new LbSection.Backend(BACK_NET + 6, 80, 0)),
            service(FRONT_NET + 101, "web-1", LbSection.Service.DNS_VIP),
            service(FRONT_NET + 102, "not_dns", LbSection.Service.DNS_VIP)));
        final DesiredState state = lb.in(networks.in(DesiredState.EMPTY));
        return DnsZoneBuilder.build(state, Map.of("front", 3, "back", 7)::get, List.of());
    }

    @Test
    void eachNetworkHasItsContainersNamesAndSharedAliasesResolveToEveryHolder()
    {
        final NetworkNames front = build().network(3);
        assertEquals(List.of(FRONT_NET + 2), front.names().get("web-1.").addresses());
        assertEquals(List.of(FRONT_NET + 3), front.names().get("web-2.").addresses(), "names are kept lowercase");
        assertEquals(List.of(FRONT_NET + 2, FRONT_NET + 3), front.names().get("web.").addresses());
        assertEquals("port c1, port c2", front.names().get("web.").source());
        assertEquals("web-1.", front.reverse().get(FRONT_NET + 2));
        assertNull(front.names().get("db."), "back's name is not front's");
        assertTrue(build().network(7).internal());
    }

    @Test
    void servicesAreNamedWhereTheirVipOrABackendIsAndContainersWinAClash()
    {
        final DnsZones zones = build();
        final NetworkNames front = zones.network(3);
        final NetworkNames back = zones.network(7);
        assertEquals(List.of(FRONT_NET + 100), front.names().get("api.").addresses());
        assertEquals("api.", front.reverse().get(FRONT_NET + 100), "a VIP's reverse name");
        assertNull(back.names().get("api."), "api's VIP and backends are all outside back");
        assertEquals(NetworkNames.Mode.ROUND_ROBIN, back.names().get("pool.").mode(), "pool has a backend on back");
        assertEquals(List.of(BACK_NET + 5), back.names().get("pool.").addresses(), "a backend with weight 0 gets no clients by name");
        assertNull(front.names().get("pool."));
        assertEquals("container", front.names().get("web-1.").kind(), "a container's name wins over a service's");
        assertFalse(front.names().containsKey("not_dns."), "a service name that is no DNS name is not served");
    }

    @Test
    void aNetworkNotInTheDataplaneYetIsNotServed()
    {
        final DnsZones zones = DnsZoneBuilder.build(NetworkSection.EMPTY
            .withNetwork(new NetworkSpec("front", new Cidr(FRONT_NET, 24), FRONT_NET + 1, 0x02420a0a0001L, 0)).in(DesiredState.EMPTY),
            name -> null, List.of());
        assertTrue(zones.networks().isEmpty());
    }
}
