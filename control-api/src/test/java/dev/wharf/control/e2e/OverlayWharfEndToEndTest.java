package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wharf to Wharf: every host a namespace with its own daemon. Two hosts joined by a veth underlay,
 * once with VXLAN and once with Geneve (the kernel here has no geneve module, so only Wharf speaks it):
 * ping and TCP with a content check, and tshark on the underlay dissects what crossed it as the
 * encapsulation with VNI 42 around the containers' own frames. Three hosts on an underlay switch
 * (a Linux bridge in its own namespace): a broadcast from A's container is replicated by A to B and C
 * (head-end replication) and reaches each far container exactly once.
 */
class OverlayWharfEndToEndTest
{
    private Topology topology;
    private final List<OverlayHost> hosts = new ArrayList<>();
    private final List<PacketCapture> captures = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final PacketCapture capture : captures)
            {
                capture.close();
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

    private OverlayHost wharfHost(final String hostNs, final String underlayIp, final String encap, final String container, final String ip)
        throws Exception
    {
        final OverlayHost host = OverlayHost.wharf(topology, hostNs, underlayIp, encap, container, ip);
        hosts.add(host);
        return host;
    }

    private PacketCapture capture(final String ns, final String dev, final String filter) throws Exception
    {
        final PacketCapture capture = PacketCapture.start(ns, dev, filter);
        captures.add(capture);
        return capture;
    }

    private String logs()
    {
        return hosts.stream().map(OverlayHost::log).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vxlan", "geneve"})
    void twoWharfHostsCarryPingAndTcpAndTheUnderlayShowsTheEncapsulationAroundTheContainersFrames(final String encap) throws Exception
    {
        Host.requireRootAnd("ip", "ping", "socat", "sha256sum", "tshark", "dumpcap");
        topology = new Topology(encap.equals("vxlan") ? "ovwv" : "ovwg");
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        final OverlayHost a = wharfHost(hostA, "10.200.0.1", encap, "ca", "10.50.0.2");
        final OverlayHost b = wharfHost(hostB, "10.200.0.2", encap, "cb", "10.50.0.3");
        a.floodTo(b);
        b.floodTo(a);

        final PacketCapture underlay = capture(hostA, OverlayHost.UNDERLAY_DEV, "udp");
        assertTrue(topology.ping(a.container, b.containerIp, 3), "cA -> cB over " + encap + "\n" + logs());
        assertTrue(topology.ping(b.container, a.containerIp, 3), "cB -> cA over " + encap + "\n" + logs());
        underlay.stop();

        final String other = encap.equals("vxlan") ? "geneve" : "vxlan";
        final String echoes = encap + " && " + encap + ".vni == " + OverlayHost.VNI + " && icmp";
        final List<String> lines = underlay.fields(echoes, "ip.src", "ip.dst", "eth.src", "eth.dst", "icmp.type");
        final String summary = underlay.summary();
        assertTrue(lines.size() >= 12, "3 echoes each way, request and reply, dissected as " + encap + " VNI 42:\n" + summary);
        final String aToB = "10.200.0.1," + a.containerIp + ";10.200.0.2," + b.containerIp;
        final String bToA = "10.200.0.2," + b.containerIp + ";10.200.0.1," + a.containerIp;
        for (final String line : lines)
        {
            final String[] f = line.split(";", -1);
            final String addresses = f[0] + ";" + f[1];
            assertTrue(addresses.equals(aToB) || addresses.equals(bToA), "outer VTEPs and inner containers' addresses: " + line);
            final boolean fromA = addresses.equals(aToB);
            assertTrue(f[2].endsWith("," + (fromA ? a : b).containerMac), "inner source MAC is the sending container's: " + line);
            assertTrue(f[3].endsWith("," + (fromA ? b : a).containerMac), "inner destination MAC is the receiving container's: " + line);
        }
        assertTrue(lines.stream().filter(l -> l.startsWith(aToB)).count() >= 6, "A -> B: echoes and replies:\n" + summary);
        assertTrue(lines.stream().filter(l -> l.startsWith(bToA)).count() >= 6, "B -> A: echoes and replies:\n" + summary);
        assertEquals(0, underlay.count(other), "nothing sent as " + other + ":\n" + summary);

        Transfers.tcpTransferWithChecksum(topology, a.container, b.container, b.containerIp, 5001, 20);
        Transfers.tcpTransferWithChecksum(topology, b.container, a.container, a.containerIp, 5002, 20);
    }

    @Test
    void aBroadcastFromOneHostReachesEachOtherHostExactlyOnce() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "socat", "tshark", "dumpcap");
        topology = new Topology("ovr");
        final String underlay = topology.namespace("ul");
        final String[] names = {"a", "b", "c"};
        final String[] legs = new String[names.length];
        final String[] hostNs = new String[names.length];
        for (int h = 0; h < names.length; h++)
        {
            hostNs[h] = topology.namespace("h" + names[h]);
            legs[h] = "ovleg" + names[h];
            topology.link(hostNs[h], OverlayHost.UNDERLAY_DEV, "10.200.0." + (h + 1) + "/24", underlay, legs[h], null);
        }
        topology.bridge(underlay, "ovbr0", legs);
        final OverlayHost a = wharfHost(hostNs[0], "10.200.0.1", "vxlan", "ca", "10.50.0.2");
        final OverlayHost b = wharfHost(hostNs[1], "10.200.0.2", "vxlan", "cb", "10.50.0.3");
        final OverlayHost c = wharfHost(hostNs[2], "10.200.0.3", "vxlan", "cc", "10.50.0.4");
        a.floodTo(b, c);
        b.floodTo(a, c);
        c.floodTo(a, b);
        // the mesh works before the broadcast: each pair of containers talks
        assertTrue(topology.ping(a.container, b.containerIp, 1), "cA -> cB\n" + logs());
        assertTrue(topology.ping(a.container, c.containerIp, 1), "cA -> cC\n" + logs());
        assertTrue(topology.ping(b.container, c.containerIp, 1), "cB -> cC\n" + logs());

        final PacketCapture atB = capture(b.container, "eth0", "udp port 9999");
        final PacketCapture atC = capture(c.container, "eth0", "udp port 9999");
        final PacketCapture leavingA = capture(hostNs[0], OverlayHost.UNDERLAY_DEV, "udp port 4789");
        topology.sh(20, a.container, "echo ovflood | socat -u STDIN UDP-DATAGRAM:10.50.0.255:9999,broadcast")
            .assertOk("UDP broadcast from cA");
        atB.stop();
        atC.stop();
        leavingA.stop();

        final String broadcast = "udp.dstport == 9999 && eth.dst == ff:ff:ff:ff:ff:ff && ip.src == " + a.containerIp;
        assertEquals(1, atB.count(broadcast), "cB got the broadcast exactly once:\n" + atB.summary());
        assertEquals(1, atC.count(broadcast), "cC got the broadcast exactly once:\n" + atC.summary());
        final List<String> copies = leavingA.fields("vxlan.vni == 42 && " + broadcast, "ip.dst");
        assertEquals(2, copies.size(), "A sent one copy per far VTEP:\n" + leavingA.summary());
        final Set<String> vteps = copies.stream().map(l -> l.split(",")[0]).collect(Collectors.toSet());
        assertEquals(Set.of("10.200.0.2", "10.200.0.3"), vteps, "one copy to each far VTEP: " + copies);
    }
}
