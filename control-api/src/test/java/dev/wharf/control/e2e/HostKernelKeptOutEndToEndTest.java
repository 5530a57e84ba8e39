package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host kernel beside the switch (issue 20, part 6): a host (a namespace running the daemon, with
 * {@code ip_forward=1} and an address of its own on its loopback) and a container whose veth host
 * end is a switch port. Before the daemon attaches the port, the host kernel answers the container's
 * ARP for the host's address through that host end, as any Linux host answers ARP for any of its
 * addresses on any interface; once attached, it does not (and forwards nothing from it, and has no
 * IPv6 on it): the container sees only the switch.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostKernelKeptOutEndToEndTest
{
    /** An address of the host's own, on an interface that is no switch port. */
    private static final String HOST_OWN_IP = "10.10.0.77";
    private static final String HOST_END = "hkc0";

    private Topology topology;
    private WharfDaemonProcess wharf;

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
    void anAttachedHostEndNoLongerAnswersArpForwardsOrSpeaksIpv6() throws Exception
    {
        Host.requireRootAnd("ip", "ping", "sysctl");
        topology = new Topology("hk");
        final String host = topology.namespace("host");
        final String container = topology.namespace("c1");
        topology.exec(host, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").assertOk("the host forwards");
        // on loopback (this kernel has no dummy device): an address of the host's that is on no switch port
        topology.exec(host, "ip", "link", "set", "lo", "up").assertOk("loopback up");
        topology.exec(host, "ip", "addr", "add", HOST_OWN_IP + "/32", "dev", "lo").assertOk("the host's own address");
        topology.containerOn(host, container, HOST_END, "10.10.0.2/24", 1500);

        assertEquals("0", sysctl(host, "net.ipv4.conf." + HOST_END + ".arp_ignore"), "a fresh interface answers ARP for every address");
        assertTrue(answersArpFor(container, HOST_OWN_IP), "before attach the host kernel answers the container's ARP through the host end");

        wharf = WharfDaemonProcess.inNamespace(host).start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("port", "attach", "front", HOST_END, "--ip", "10.10.0.2");
        topology.exec(container, "ip", "neigh", "flush", "dev", "eth0").assertOk("the container forgets the answer");

        assertEquals("8", sysctl(host, "net.ipv4.conf." + HOST_END + ".arp_ignore"));
        assertEquals("0", sysctl(host, "net.ipv4.conf." + HOST_END + ".forwarding"));
        assertEquals("1", sysctl(host, "net.ipv6.conf." + HOST_END + ".disable_ipv6"));
        assertEquals("", topology.exec(host, "ip", "-6", "addr", "show", "dev", HOST_END).stdout().strip(), "no IPv6 address on the host end");
        assertFalse(answersArpFor(container, HOST_OWN_IP), "the host kernel is out of the switch port\n" + wharf.log());
        assertTrue(topology.ping(container, "10.10.0.1", 2), "the switch's gateway still answers");
        final String ports = wharf.ok("port", "ls");
        assertFalse(ports.contains("note:"), "every setting was made: " + ports);
    }

    /** Whether {@code target} got an ARP answer in {@code ns}: one ping, then the neighbour entry's state. */
    private boolean answersArpFor(final String ns, final String target)
    {
        topology.exec(ns, "ping", "-c", "1", "-W", "1", target);
        final String neighbour = topology.exec(ns, "ip", "neigh", "show", target, "dev", "eth0").stdout();
        return neighbour.contains("lladdr");
    }

    private String sysctl(final String ns, final String key)
    {
        return topology.exec(ns, "sysctl", "-n", key).stdout().strip();
    }
}
