package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Swarm's routing mesh done by Wharf: a virtual service on host A whose backends are containers on the
 * overlay network, one on A and one on host B, published on A's uplink. A client outside reaches both.
 * The connection to B's container leaves A from A's own address on the overlay ({@code --host-address}),
 * so that B's container answers A and not B's gateway (the overlay's gateway is the same address and MAC
 * on every host, and B has no entry for the connection). Each backend runs netpeer.py, which answers
 * with its name and the address it saw.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RoutingMeshEndToEndTest
{
    private static final String HOST_ADDRESS_A = "10.50.0.251";
    private static final String HOST_ADDRESS_B = "10.50.0.252";
    private static final String VIP = "10.50.0.100";
    private static final String SERVICE = VIP + ":80/tcp";
    private static final String OUTSIDE_IP = "10.99.1.1";
    private static final String UPLINK_IP = "10.99.1.2";
    private static final int REQUESTS = 8;

    private Topology topology;
    private final List<OverlayHost> hosts = new ArrayList<>();
    private final List<BackgroundProcess> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final BackgroundProcess server : servers)
            {
                server.close();
            }
            for (final OverlayHost host : hosts)
            {
                host.close();
            }
        }
        finally
        {
            if (topology != null)
            {
                topology.close();
            }
        }
    }

    private String logs()
    {
        return hosts.stream().map(OverlayHost::log).collect(Collectors.joining("\n"));
    }

    @Test
    void aServicePublishedOnOneHostReachesItsBackendsOnEveryHostAndComesBackAfterARestart() throws Exception
    {
        Host.requireRootAnd("ip", "python3");
        topology = new Topology("mesh");
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        final OverlayHost a = OverlayHost.wharf(topology, hostA, "10.200.0.1", "vxlan", "ca", "10.50.0.2", OverlayHost.CONTAINER_MTU,
            "--host-address", HOST_ADDRESS_A);
        hosts.add(a);
        final OverlayHost b = OverlayHost.wharf(topology, hostB, "10.200.0.2", "vxlan", "cb", "10.50.0.3", OverlayHost.CONTAINER_MTU,
            "--host-address", HOST_ADDRESS_B);
        hosts.add(b);
        a.floodTo(b);
        b.floodTo(a);
        servers.add(NetPeer.server(a.container, "tcp-server", 8080, "ca"));
        servers.add(NetPeer.server(b.container, "tcp-server", 8080, "cb"));

        final String outside = topology.namespace("out");
        topology.link(hostA, "meshup0", null, outside, "eth0", OUTSIDE_IP + "/24");
        a.wharf.ok("uplink", "set", "meshup0", "--ip", UPLINK_IP + "/24", "--gateway", OUTSIDE_IP);
        a.wharf.ok("lb", "add", SERVICE, "--scheduler", "rr");
        a.wharf.ok("lb", "backend", "add", SERVICE, a.containerIp + ":8080");
        a.wharf.ok("lb", "backend", "add", SERVICE, b.containerIp + ":8080");
        a.wharf.ok("publish", "add", "ov", VIP + ":80", "-p", UPLINK_IP + ":8080/tcp");
        final String vteps = a.wharf.ok("vtep", "ls", "ov");
        assertTrue(vteps.contains("this host " + HOST_ADDRESS_A + " 02:42:0a:32:00:fb"), vteps);

        assertBothBackendsAnswer(outside);

        a.wharf.kill9();
        a.wharf.start();
        assertEquals(vteps, a.wharf.ok("vtep", "ls", "ov"), "the host address is restored with its network");
        assertBothBackendsAnswer(outside);
    }

    /** Requests from outside through A's published port: rr alternates, and both backends saw A's host address. */
    private void assertBothBackendsAnswer(final String outside)
    {
        final Map<String, Integer> answers = new HashMap<>();
        for (int r = 0; r < REQUESTS; r++)
        {
            final Matcher answer = NetPeer.tcp(outside, UPLINK_IP, 8080, logs());
            answers.merge(answer.group(1), 1, Integer::sum);
            assertEquals(HOST_ADDRESS_A, answer.group(2), answer.group(1) + " saw A's own address on the overlay, and answered A");
        }
        assertEquals(Map.of("ca", REQUESTS / 2, "cb", REQUESTS / 2), answers, "rr over the backend on A and the one on B\n" + logs());
    }

    @Test
    void aHostAddressThatIsNoHostsOwnIsRefusedAndNothingChanges() throws Exception
    {
        Host.requireRootAnd("ip");
        topology = new Topology("meshbad");
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        final OverlayHost a = OverlayHost.wharf(topology, hostA, "10.200.0.1", "vxlan", "ca", "10.50.0.2", OverlayHost.CONTAINER_MTU,
            "--host-address", HOST_ADDRESS_A);
        hosts.add(a);
        final String networksBefore = a.wharf.ok("network", "ls", "--json");
        final String servicesBefore = a.wharf.ok("lb", "ls", "--json");
        final String vtepsBefore = a.wharf.ok("vtep", "ls", "ov");

        refused(a, "is the gateway", "network", "create", "ov2", "--driver", "overlay", "--vni", "43", "--subnet", "10.60.0.0/24",
            "--host-address", "10.60.0.1");
        refused(a, "outside the subnet", "network", "create", "ov2", "--driver", "overlay", "--vni", "43", "--subnet", "10.60.0.0/24",
            "--host-address", "10.61.0.5");
        refused(a, "broadcast address", "network", "create", "ov2", "--driver", "overlay", "--vni", "43", "--subnet", "10.60.0.0/24",
            "--host-address", "10.60.0.255");
        refused(a, "options of overlay networks", "network", "create", "br", "--subnet", "10.70.0.0/24", "--host-address", "10.70.0.5");
        refused(a, "invalid host address", "network", "create", "ov2", "--driver", "overlay", "--vni", "43", "--subnet", "10.60.0.0/24",
            "--host-address", "10.60.0");
        assertEquals(networksBefore, a.wharf.ok("network", "ls", "--json"), "no network made");

        topology.containerOn(hostA, topology.namespace("cx"), "ovc1", "10.50.0.9/24", OverlayHost.CONTAINER_MTU);
        refused(a, "this host's own address", "port", "attach", "ov", "ovc1", "--ip", HOST_ADDRESS_A);
        refused(a, "this host's own address", "lb", "add", HOST_ADDRESS_A + ":80/tcp");
        refused(a, "this host's own address", "vtep", "add", "ov", "10.200.0.2", "--mac", "02:42:0a:32:00:fb", "--ip", HOST_ADDRESS_A);
        assertFalse(a.wharf.ok("port", "ls").contains("ovc1"), "no port attached");
        assertEquals(servicesBefore, a.wharf.ok("lb", "ls", "--json"), "no service added");
        assertEquals(vtepsBefore, a.wharf.ok("vtep", "ls", "ov"), "no endpoint added");
    }

    private static void refused(final OverlayHost host, final String reason, final String... args)
    {
        final Host.Result result = host.wharf.cli(args);
        assertNotEquals(0, result.exitCode(), String.join(" ", args) + " succeeded: " + result.stdout());
        assertTrue(result.stderr().contains(reason), String.join(" ", args) + ": expected \"" + reason + "\" in: " + result.stderr());
    }
}
