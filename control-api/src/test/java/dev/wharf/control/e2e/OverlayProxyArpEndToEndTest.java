package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proxy ARP across an overlay of two Wharf hosts: each host knows the other's container as a remote
 * endpoint ({@code vtep add ov VTEP --mac M --ip IP}), as Docker's overlay programs its peers. With
 * both containers' neighbour caches flushed, cA pings cB: each host answers its own container's ARP
 * request, and a capture of the underlay holds the echoes inside VXLAN and not one ARP frame (the
 * hosts' own underlay neighbours are pinned, so that they do not ARP either).
 * <p>
 * Both sides are programmed, not only A: cB answers cA's echo request only once it knows cA's MAC,
 * and it asks for that with an ARP request of its own, which B's Wharf answers for it.
 */
class OverlayProxyArpEndToEndTest
{
    private Topology topology;
    private OverlayHost a;
    private OverlayHost b;
    private PacketCapture underlay;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (underlay != null)
            {
                underlay.close();
            }
            if (a != null)
            {
                a.close();
            }
            if (b != null)
            {
                b.close();
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

    @Test
    void eachHostAnswersItsContainersArpForTheRemoteEndpointAndNoArpCrossesTheUnderlay() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "tshark", "dumpcap");
        topology = new Topology("ovp");
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        a = OverlayHost.wharf(topology, hostA, "10.200.0.1", "vxlan", "ca", "10.50.0.2");
        b = OverlayHost.wharf(topology, hostB, "10.200.0.2", "vxlan", "cb", "10.50.0.3");
        a.wharf.ok("vtep", "add", "ov", b.underlayIp, "--mac", b.containerMac, "--ip", b.containerIp);
        b.wharf.ok("vtep", "add", "ov", a.underlayIp, "--mac", a.containerMac, "--ip", a.containerIp);
        final String vteps = a.wharf.ok("vtep", "ls", "ov");
        assertTrue(vteps.contains(b.containerMac) && vteps.contains(b.containerIp), "the remote endpoint listed: " + vteps);

        // the underlay's own neighbours pinned: the capture is to find no ARP at all, the hosts' own included
        topology.exec(hostA, "ip", "neigh", "replace", b.underlayIp, "lladdr", topology.mac(hostB, OverlayHost.UNDERLAY_DEV),
            "dev", OverlayHost.UNDERLAY_DEV, "nud", "permanent").assertOk("pin B's underlay neighbour on A");
        topology.exec(hostB, "ip", "neigh", "replace", a.underlayIp, "lladdr", topology.mac(hostA, OverlayHost.UNDERLAY_DEV),
            "dev", OverlayHost.UNDERLAY_DEV, "nud", "permanent").assertOk("pin A's underlay neighbour on B");
        topology.exec(a.container, "ip", "neigh", "flush", "all").assertOk("flush cA's neighbours");
        topology.exec(b.container, "ip", "neigh", "flush", "all").assertOk("flush cB's neighbours");
        final long answeredBefore = Stats.counter(a.wharf, "overlay-proxy-arp.answered");
        underlay = PacketCapture.start(hostA, OverlayHost.UNDERLAY_DEV, null);
        assertTrue(topology.ping(a.container, b.containerIp, 3), "cA -> cB with proxy ARP\n" + a.log() + "\n" + b.log());
        underlay.stop();

        final String neighbour = topology.exec(a.container, "ip", "neigh", "show", b.containerIp).assertOk("ip neigh").stdout();
        assertTrue(neighbour.contains("lladdr " + b.containerMac), "cA resolved cB to cB's own MAC: " + neighbour);
        assertTrue(Stats.counter(a.wharf, "overlay-proxy-arp.answered") > answeredBefore, "A answered cA's ARP request itself");
        final String summary = underlay.summary();
        assertTrue(underlay.count("vxlan && icmp && ip.src == " + a.containerIp) >= 3, "the echoes crossed inside VXLAN:\n" + summary);
        assertEquals(0, underlay.count("arp"), "no ARP at all on the underlay, inside VXLAN or out:\n" + summary);
    }
}
