package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port security (issue 20, part 5) against a container that lies: c2 sends a gratuitous ARP claiming the gateway's
 * address, and UDP from an address that is not its own, to its neighbour c1. Without port security both work (c1's
 * kernel takes c2's MAC for the gateway, and receives the spoofed datagrams); with it, neither does, and the drops are
 * counted under their reasons. The frames are scapy's, the judge is c1's own kernel.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PortSecurityEndToEndTest
{
    private static final String GATEWAY = "10.10.0.1";

    private Topology topology;
    private WharfDaemonProcess wharf;
    private String c1;
    private String c2;
    private String c2Mac;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (wharf != null)
            {
                wharf.close();
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
    void aSpoofingContainerPoisonsItsNeighbourWithoutPortSecurityAndIsDroppedWithIt() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "python3");
        topology = new Topology("ps");
        final String host = topology.namespace("host");
        c1 = topology.namespace("c1");
        c2 = topology.namespace("c2");
        topology.containerOn(host, c1, "psc1", "10.10.0.2/24", 1500);
        topology.containerOn(host, c2, "psc2", "10.10.0.3/24", 1500);
        final String c1Mac = topology.mac(c1, "eth0");
        c2Mac = topology.mac(c2, "eth0");
        wharf = WharfDaemonProcess.inNamespace(host, "--dns", "off").start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("port", "attach", "front", "psc1", "--ip", "10.10.0.2", "--mac", c1Mac);

        wharf.ok("port", "attach", "front", "psc2", "--ip", "10.10.0.3", "--mac", c2Mac);
        assertTrue(spoofWorks(), "without port security the lies get through (the test can fail)");

        wharf.ok("port", "detach", "front", "psc2");
        wharf.ok("port", "attach", "front", "psc2", "--ip", "10.10.0.3", "--mac", c2Mac, "--port-security");
        assertTrue(wharf.ok("port", "ls", "--json").contains("\"portSecurity\": true"), wharf.ok("port", "ls", "--json"));
        final long arpBefore = Stats.counter(wharf, "port-security.arp-spoof");
        final long ipBefore = Stats.counter(wharf, "port-security.ip-spoof");
        assertFalse(spoofWorks(), "with port security neither lie gets through");
        assertTrue(Stats.counter(wharf, "port-security.arp-spoof") > arpBefore, wharf.ok("stats"));
        assertTrue(Stats.counter(wharf, "port-security.ip-spoof") > ipBefore, wharf.ok("stats"));
        assertTrue(topology.ping(c2, "10.10.0.2", 2), "c2's honest traffic still passes");
        assertEquals(1, wharf.cli("port", "attach", "front", "psc9", "--port-security").exitCode(), "port security needs --ip");
    }

    /**
     * c1 learns the gateway's MAC, c2 claims the gateway's address and sends three datagrams from 10.10.0.99 to c1.
     * True when c1's kernel took the lie (its neighbour entry for the gateway is c2's MAC) and received the datagrams.
     */
    private boolean spoofWorks()
    {
        topology.exec(c1, "ip", "neigh", "flush", "dev", "eth0");
        assertTrue(topology.ping(c1, GATEWAY, 1), "c1 reaches its gateway");
        final Host.Result receiver = topology.sh(20, c1,
            "/usr/bin/python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.10.0.2', 9999)); " +
            "s.settimeout(5); n=0\n" +
            "try:\n  while True: s.recv(100); n += 1\nexcept socket.timeout: print('received', n)\" & " +
            "sleep 1.5; ip netns exec " + c2 + " /usr/bin/python3 -c \"from scapy.all import *; conf.verb=0; " +
            "sendp(Ether(dst='ff:ff:ff:ff:ff:ff', src='" + c2Mac + "')/ARP(op=2, hwsrc='" + c2Mac + "', psrc='" + GATEWAY + "', " +
            "hwdst='ff:ff:ff:ff:ff:ff', pdst='" + GATEWAY + "'), iface='eth0', count=2); " +
            "send(IP(src='10.10.0.99', dst='10.10.0.2')/UDP(sport=4000, dport=9999)/Raw(b'spoofed'), count=3)\"; wait");
        final String neighbour = topology.exec(c1, "ip", "neigh", "show", GATEWAY, "dev", "eth0").stdout();
        final boolean poisoned = neighbour.contains(c2Mac);
        final boolean received = receiver.stdout().contains("received 3");
        assertEquals(poisoned, received, "both lies share one fate: neighbour " + neighbour + ", " + receiver.stdout() + receiver.stderr());
        return poisoned;
    }
}
