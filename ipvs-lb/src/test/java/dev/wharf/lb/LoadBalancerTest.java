package dev.wharf.lb;

import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.lb.schedule.BackendWeight;
import dev.wharf.nat.ConnectionState;
import dev.wharf.nat.FlowKey;
import dev.wharf.nat.NatConfiguration;
import dev.wharf.nat.NatService;
import dev.wharf.nat.VirtualServices;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balancer's control side and its answers to ip4-nat-in, against a real conntrack table: new flows
 * are spread by the service's scheduler, flows are counted by their backend's mark, a removed backend's
 * flows end (TCP reset state, UDP removed), a drain waits its grace time, and marks are reused only once
 * their flows are gone.
 */
class LoadBalancerTest
{
    private static final int VIP = Ipv4Address.parse("10.96.0.10");
    private static final int B1 = Ipv4Address.parse("10.10.0.11");
    private static final int B2 = Ipv4Address.parse("10.10.0.12");
    private static final int B3 = Ipv4Address.parse("10.10.0.13");
    private static final int CLIENT = Ipv4Address.parse("10.20.0.2");
    private static final ServiceKey WEB = new ServiceKey(VIP, 80, ServiceKey.TCP);
    private static final ServiceKey DNS = new ServiceKey(VIP, 53, ServiceKey.UDP);

    private final NatService nat = new NatService(NatConfiguration.defaults());
    private final LoadBalancer lb = new LoadBalancer(nat);

    private void threeBackends(final ServiceKey key, final String scheduler, final int... weights)
    {
        lb.addService(new VirtualService(key, scheduler, 0, "web"));
        final int[] addresses = {B1, B2, B3};
        for (int b = 0; b < 3; b++)
        {
            lb.addBackend(key, new BackendWeight(addresses[b], 8080, weights.length == 0 ? 1 : weights[b]));
        }
    }

    private long schedule(final ServiceKey key, final int clientPort)
    {
        return lb.schedule(1, key.protocol(), CLIENT, clientPort, key.vip(), key.port(), 0);
    }

    /** Creates the flow ip4-nat-out would for this answer: marked with the backend's mark. */
    private void track(final ServiceKey key, final int clientPort, final long answer)
    {
        track(key, clientPort, answer, key.protocol() == ServiceKey.TCP ? ConnectionState.ESTABLISHED : ConnectionState.REPLIED);
    }

    private void track(final ServiceKey key, final int clientPort, final long answer, final int state)
    {
        final long original = FlowKey.addresses(CLIENT, key.vip());
        final long originalPorts = FlowKey.ports(key.protocol(), 1, clientPort, key.port());
        final long reply = FlowKey.addresses(VirtualServices.address(answer), CLIENT);
        final long replyPorts = FlowKey.ports(key.protocol(), 1, VirtualServices.port(answer), clientPort);
        assertTrue(nat.table().create(original, originalPorts, reply, replyPorts,
            ConnectionState.withMark(state, VirtualServices.mark(answer)), Long.MAX_VALUE) >= 0);
    }

    private BackendView backend(final ServiceKey key, final int address)
    {
        return lb.services().stream().filter(s -> s.service().key().equals(key)).findFirst().orElseThrow()
            .backends().stream().filter(b -> b.address() == address).findFirst().orElseThrow();
    }

    @Test
    void roundRobinSpreadsNewFlowsExactlyEvenly()
    {
        threeBackends(WEB, "rr");
        final Map<Integer, Integer> hits = new HashMap<>();
        for (int port = 0; port < 300; port++)
        {
            hits.merge(VirtualServices.address(schedule(WEB, 30_000 + port)), 1, Integer::sum);
        }
        assertEquals(Map.of(B1, 100, B2, 100, B3, 100), hits);
        assertEquals(100, backend(WEB, B2).scheduled());
    }

    @Test
    void anAddressThatIsNoServiceIsNotVirtualAndAServiceWithoutBackendsRefuses()
    {
        assertEquals(VirtualServices.NOT_VIRTUAL, schedule(WEB, 1000));
        lb.addService(new VirtualService(WEB, "rr", 0, ""));
        assertEquals(VirtualServices.NOT_VIRTUAL, lb.schedule(1, ServiceKey.TCP, CLIENT, 1000, VIP, 81, 0), "another port");
        assertEquals(VirtualServices.NO_BACKEND, schedule(WEB, 1000));
        lb.addBackend(WEB, new BackendWeight(B1, 8080, 0));
        assertEquals(VirtualServices.NO_BACKEND, schedule(WEB, 1000), "a quiesced backend takes nothing new");
    }

    @Test
    void connectionsAreCountedByTheirBackendsMarkAndLeastConnectionAvoidsTheBusyOnes()
    {
        threeBackends(WEB, "lc");
        for (int port = 0; port < 2; port++)
        {
            final long answer = VirtualServices.translation(B1, 8080, 1);
            track(WEB, 40_000 + port, answer);
        }
        track(WEB, 40_010, VirtualServices.translation(B2, 8080, 2));

        assertEquals(2, backend(WEB, B1).connections());
        assertEquals(1, backend(WEB, B2).connections());
        assertEquals(B3, VirtualServices.address(schedule(WEB, 50_000)), "the idle backend");
    }

    @Test
    void leastConnectionWeighsAnActiveConnectionAsIpvsDoesAbove255ClosedOnes()
    {
        threeBackends(WEB, "lc");
        track(WEB, 40_000, VirtualServices.translation(B1, 8080, 1));
        track(WEB, 40_001, VirtualServices.translation(B2, 8080, 2));
        for (int port = 0; port < 255; port++)
        {
            track(WEB, 41_000 + port, VirtualServices.translation(B3, 8080, 3), ConnectionState.TIME_WAIT);
        }

        assertEquals(B3, VirtualServices.address(schedule(WEB, 50_000)), "255 closed connections weigh less than one held one");
        track(WEB, 41_255, VirtualServices.translation(B3, 8080, 3), ConnectionState.TIME_WAIT);
        assertEquals(B1, VirtualServices.address(schedule(WEB, 50_001)), "256 weigh as much: the first in order wins the tie");
    }

    @Test
    void aRemovedBackendsFlowsEndAndItsMarkIsReusedOnlyOnceTheyAreGone()
    {
        threeBackends(WEB, "rr");
        final long toB1 = VirtualServices.translation(B1, 8080, 1);
        track(WEB, 40_000, toB1);

        lb.removeBackend(WEB, B1, 8080, 0, 0);

        assertEquals(1, nat.count(), "a TCP flow stays until its next segment, which gets the reset");
        assertEquals(ConnectionState.RESET, ConnectionState.of(stateOfOnlyFlow()));
        for (int port = 0; port < 30; port++)
        {
            final int address = VirtualServices.address(schedule(WEB, 41_000 + port));
            assertTrue(address == B2 || address == B3, "never the removed backend");
        }
        lb.addBackend(WEB, new BackendWeight(B1, 9090, 1));
        assertTrue(lb.services().get(0).backends().stream().anyMatch(b -> b.port() == 9090));
        assertEquals(4, markOf(B1, 9090), "mark 1 is still held by the ending flow");

        nat.flush();
        lb.housekeep(0);
        lb.addBackend(WEB, new BackendWeight(B1, 9191, 1));
        assertEquals(1, markOf(B1, 9191), "free again once its flows are gone");
    }

    private int stateOfOnlyFlow()
    {
        for (int flow = 0; flow < nat.table().capacity(); flow++)
        {
            if (nat.table().isLive(flow))
            {
                return nat.table().state(flow);
            }
        }
        return -1;
    }

    private int markOf(final int address, final int port)
    {
        for (int p = 0; p < 64; p++)
        {
            final long answer = schedule(WEB, 60_000 + p);
            if (VirtualServices.address(answer) == address && VirtualServices.port(answer) == port)
            {
                return VirtualServices.mark(answer);
            }
        }
        throw new AssertionError("never scheduled to " + Ipv4Address.toString(address) + ":" + port);
    }

    @Test
    void aDrainedBackendKeepsItsTcpConnectionsUntilTheGraceTimeButItsUdpFlowsEndAtOnce()
    {
        threeBackends(WEB, "rr");
        lb.addService(new VirtualService(DNS, "rr", 0, "dns"));
        lb.addBackend(DNS, new BackendWeight(B1, 53, 1));
        lb.addBackend(DNS, new BackendWeight(B2, 53, 1));
        track(WEB, 40_000, VirtualServices.translation(B1, 8080, 1));
        track(DNS, 40_001, VirtualServices.translation(B1, 53, 4));

        lb.removeBackend(WEB, B1, 8080, 2_000, 10_000);
        lb.removeBackend(DNS, B1, 53, 2_000, 10_000);

        assertEquals(1, nat.count(), "the UDP flow is gone, the TCP one stays");
        assertTrue(backend(WEB, B1).draining());
        assertEquals(ConnectionState.ESTABLISHED, ConnectionState.of(stateOfOnlyFlow()));
        assertEquals(0, lb.housekeep(11_999));
        assertEquals(2, lb.housekeep(12_000));
        assertEquals(ConnectionState.RESET, ConnectionState.of(stateOfOnlyFlow()), "ended with a reset at the deadline");
        assertEquals(2, lb.services().get(0).backends().size());
    }

    @Test
    void aPersistentServiceKeepsAClientOnItsBackendUntilTheTimeoutUnlessTheBackendDrains()
    {
        lb.addService(new VirtualService(WEB, "rr", 300, "web"));
        for (final int address : new int[]{B1, B2, B3})
        {
            lb.addBackend(WEB, new BackendWeight(address, 8080, 1));
        }
        final int other = Ipv4Address.parse("10.20.0.3");
        final int first = VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 1000, VIP, 80, 1_000));
        for (int port = 1001; port < 1010; port++)
        {
            assertEquals(first, VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, port, VIP, 80, 2_000)), "pinned");
        }
        assertTrue(first != VirtualServices.address(lb.schedule(1, ServiceKey.TCP, other, 1000, VIP, 80, 2_000)),
            "another client is scheduled: rr gives it the next backend");

        lb.setWeight(WEB, first, 8080, 0);
        assertEquals(first, VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 2000, VIP, 80, 3_000)),
            "IPVS keeps a persistent client on a quiesced backend");
        lb.setWeight(WEB, first, 8080, 1);
        final long refreshed = 3_000 + 300_000;
        assertEquals(first, VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 2001, VIP, 80, refreshed - 1)),
            "each new connection renews the pin");

        lb.removeBackend(WEB, first, 8080, 60_000, refreshed);
        final int moved = VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 3000, VIP, 80, refreshed + 1));
        assertTrue(moved != first, "a draining backend loses its persistent clients");
        assertEquals(moved, VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 3001, VIP, 80, refreshed + 2)), "pinned anew");
    }

    @Test
    void aPinExpiresItsTimeoutAfterTheClientsLastNewConnection()
    {
        lb.addService(new VirtualService(WEB, "rr", 10, "web"));
        for (final int address : new int[]{B1, B2, B3})
        {
            lb.addBackend(WEB, new BackendWeight(address, 8080, 1));
        }
        final int first = VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 1000, VIP, 80, 0));
        final int second = VirtualServices.address(lb.schedule(1, ServiceKey.TCP, Ipv4Address.parse("10.20.0.9"), 1000, VIP, 80, 0));
        assertEquals(first, VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 1001, VIP, 80, 9_999)), "pinned");
        final int after = VirtualServices.address(lb.schedule(1, ServiceKey.TCP, CLIENT, 1002, VIP, 80, 9_999 + 10_000));
        assertTrue(after != first && after != second, "expired: rr's next backend, not the pin");
    }

    @Test
    void removingAServiceEndsItsConnectionsAndBadChangesAreRefused()
    {
        threeBackends(WEB, "wrr", 2, 1, 1);
        track(WEB, 40_000, VirtualServices.translation(B2, 8080, 2));

        assertThrows(IllegalArgumentException.class, () -> lb.addService(new VirtualService(WEB, "rr", 0, "")));
        assertThrows(IllegalArgumentException.class, () -> lb.addBackend(WEB, new BackendWeight(B1, 8080, 1)));
        assertThrows(IllegalArgumentException.class, () -> lb.setWeight(DNS, B1, 53, 1));
        assertThrows(IllegalArgumentException.class, () -> lb.removeBackend(WEB, B1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> lb.addService(new VirtualService(DNS, "fastest", 0, "")));
        assertEquals(List.of(WEB), lb.services().stream().map(s -> s.service().key()).toList(), "nothing changed");

        lb.removeService(WEB);

        assertEquals(VirtualServices.NOT_VIRTUAL, schedule(WEB, 1));
        assertEquals(ConnectionState.RESET, ConnectionState.of(stateOfOnlyFlow()));
    }
}
