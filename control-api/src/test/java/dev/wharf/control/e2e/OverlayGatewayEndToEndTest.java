package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The overlay network as more than an L2 segment, Wharf to Wharf: its gateway answers on every host
 * with the same address and MAC (the distributed anycast gateway of EVPN), so each host's containers
 * leave through that host's own uplink, masqueraded to its address; and containers left at MTU 1500
 * on the 1450-byte overlay move TCP across it, because the SYNs crossing the tunnel have their MSS
 * clamped. Each outside is a namespace behind one host's uplink, running netpeer.py, which answers
 * with the peer address it sees.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OverlayGatewayEndToEndTest
{
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

    /** Hosts A and B (Wharf, VXLAN) on a veth underlay with one container each at {@code containerMtu}, flooding to each other. */
    private OverlayHost[] twoHosts(final String prefix, final int containerMtu) throws Exception
    {
        topology = new Topology(prefix);
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        final OverlayHost a = OverlayHost.wharf(topology, hostA, "10.200.0.1", "vxlan", "ca", "10.50.0.2", containerMtu);
        hosts.add(a);
        final OverlayHost b = OverlayHost.wharf(topology, hostB, "10.200.0.2", "vxlan", "cb", "10.50.0.3", containerMtu);
        hosts.add(b);
        a.floodTo(b);
        b.floodTo(a);
        return new OverlayHost[]{a, b};
    }

    @Test
    void containersAtMtu1500MoveTcpAcrossTheOverlayBecauseTheirSynsAreClampedToIt() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "socat", "sha256sum");
        final OverlayHost[] ab = twoHosts("ovms", 1500);
        final OverlayHost a = ab[0];
        final OverlayHost b = ab[1];
        assertTrue(topology.ping(a.container, b.containerIp, 3), "cA -> cB\n" + logs());
        assertTrue(a.wharf.ok("vtep", "ls", "ov").contains("MSS clamped to 1410"), a.wharf.ok("vtep", "ls", "ov"));

        Transfers.tcpTransferWithChecksum(topology, a.container, b.container, b.containerIp, 5101, 20);
        Transfers.tcpTransferWithChecksum(topology, b.container, a.container, a.containerIp, 5102, 20);

        // each host clamps the SYN (or SYN-ACK) its own container sends into the tunnel
        assertTrue(Stats.counter(a.wharf, "overlay-encap.mss-clamped") >= 2, "A clamped its container's SYNs\n" + a.wharf.ok("stats"));
        assertTrue(Stats.counter(b.wharf, "overlay-encap.mss-clamped") >= 2, "B clamped its container's SYNs\n" + b.wharf.ok("stats"));
        assertEquals(0, Stats.counter(a.wharf, "overlay-encap.too-big") + Stats.counter(b.wharf, "overlay-encap.too-big"),
            "no segment was too big for the tunnel");
    }

    @Test
    void anOverlayComesBackWhenItsDaemonIsKilledAndRestarted() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "socat", "sha256sum");
        final OverlayHost[] ab = twoHosts("ovrs", OverlayHost.CONTAINER_MTU);
        final OverlayHost a = ab[0];
        final OverlayHost b = ab[1];
        a.wharf.ok("vtep", "add", "ov", b.underlayIp, "--mac", b.containerMac, "--ip", b.containerIp);
        assertTrue(topology.ping(a.container, b.containerIp, 2), "cA -> cB before\n" + logs());
        final String vtepsBefore = a.wharf.ok("vtep", "ls", "ov");
        final String underlayBefore = a.wharf.ok("underlay", "show");

        a.wharf.kill9();
        a.wharf.start();

        assertEquals(vtepsBefore, a.wharf.ok("vtep", "ls", "ov"), "the VTEPs and the endpoint are restored");
        assertEquals(underlayBefore, a.wharf.ok("underlay", "show"), "the underlay is restored and up");
        assertTrue(topology.ping(a.container, b.containerIp, 3), "cA -> cB after A's restart\n" + logs());
        assertTrue(a.wharf.ok("fdb", "show", "ov").contains(b.underlayIp), "the endpoint's entry is behind its VTEP again");
        Transfers.tcpTransferWithChecksum(topology, b.container, a.container, a.containerIp, 5103, 10);
    }

    @Test
    void eachHostsContainerLeavesThroughItsOwnHostsUplinkMasqueradedToItsAddress() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "python3");
        final OverlayHost[] ab = twoHosts("ovgw", OverlayHost.CONTAINER_MTU);
        final String[] outsideIps = {"10.99.1.1", "10.99.2.1"};
        final String[] uplinkIps = {"10.99.1.2", "10.99.2.2"};
        final String[] outsides = new String[2];
        for (int h = 0; h < 2; h++)
        {
            final OverlayHost host = ab[h];
            outsides[h] = topology.namespace("out" + h);
            topology.link(host.namespace, "ovup0", null, outsides[h], "eth0", outsideIps[h] + "/24");
            // everything behind the uplink address, as behind a host
            topology.exec(outsides[h], "ip", "route", "add", "10.0.0.0/8", "via", uplinkIps[h]).assertOk("outside's route");
            host.wharf.ok("uplink", "set", "ovup0", "--ip", uplinkIps[h] + "/24", "--gateway", outsideIps[h]);
            topology.exec(host.container, "ip", "route", "add", "default", "via", OverlayHost.GATEWAY).assertOk("container's default route");
            server(outsides[h], "tcp-server", 8000, "out" + h);
        }
        final String macA = gatewayMac(ab[0]);
        assertEquals(macA, gatewayMac(ab[1]), "the overlay network's gateway has one MAC on every host");

        for (int h = 0; h < 2; h++)
        {
            final OverlayHost host = ab[h];
            assertTrue(topology.ping(host.container, OverlayHost.GATEWAY, 3), "the gateway answers on host " + h + "\n" + logs());
            final Matcher seen = tcp(host.container, outsideIps[h], 8000);
            assertEquals("out" + h, seen.group(1));
            assertEquals(uplinkIps[h], seen.group(2), "host " + h + "'s container leaves masqueraded to its own host's uplink");
            assertTrue(host.wharf.ok("conntrack", "list").contains(host.containerIp), "host " + h + " tracks its own container's connection");
        }
        // and the far container is still one hop away on the same L2 network
        assertTrue(topology.ping(ab[0].container, ab[1].containerIp, 2), "cA -> cB\n" + logs());
    }

    private static String gatewayMac(final OverlayHost host)
    {
        final Matcher m = Pattern.compile("Gateway:\\s+\\S+ \\(([0-9a-f:]{17})\\)").matcher(host.wharf.ok("network", "inspect", "ov"));
        assertTrue(m.find(), "network inspect shows the gateway MAC");
        return m.group(1);
    }

    private void server(final String ns, final String mode, final int port, final String name) throws Exception
    {
        servers.add(NetPeer.server(ns, mode, port, name));
    }

    private Matcher tcp(final String ns, final String host, final int port)
    {
        return NetPeer.tcp(ns, host, port, logs());
    }
}
