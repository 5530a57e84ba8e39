package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The foundation's promise with real containers: three namespaces on network {@code front}, one on
 * {@code back}, wired through a real {@code wharf daemon}. Ping, the gateway, a 100 MB TCP transfer
 * with a content check, learning and flooding seen in the FDB and the counters, and no way from
 * {@code front} to {@code back}. Subclasses choose the port backend.
 */
abstract class BridgeEndToEndTest
{
    protected Topology topology;
    protected WharfDaemonProcess wharf;
    protected String c1;
    protected String c2;
    protected String c3;
    protected String c4;
    /** Interface names as Wharf knows them (host veth ends, or TAP devices). */
    protected String p1;
    protected String p2;
    protected String p3;
    protected String p4;

    /** A short prefix for names, unique per backend. */
    abstract String prefix();

    /** Creates containers c1..c4 and attaches their ports to front (c1-c3) and back (c4). */
    abstract void wire() throws Exception;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "socat", "ping", "sha256sum");
        topology = new Topology(prefix());
        wharf = new WharfDaemonProcess().start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("network", "create", "back", "--subnet", "10.20.0.0/24");
        c1 = topology.namespace("c1");
        c2 = topology.namespace("c2");
        c3 = topology.namespace("c3");
        c4 = topology.namespace("c4");
        wire();
    }

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
    void containersOnOneNetworkPingEachOtherAndTheGatewayAndMoveTcpIntact() throws Exception
    {
        final String mac1 = topology.mac(c1, iface(c1));
        final String mac2 = topology.mac(c2, iface(c2));
        if (startsQuiet())
        {
            final String fdbBefore = wharf.ok("fdb", "show", "front", "--json");
            assertFalse(fdbBefore.contains(mac1), "nothing learned yet: " + fdbBefore);
        }

        assertTrue(topology.ping(c1, "10.10.0.3", 3), "c1 -> c2 ping through Wharf\n" + wharf.log());

        final String fdb = wharf.ok("fdb", "show", "front", "--json");
        assertTrue(fdb.contains(mac1), "c1's MAC learned: " + fdb);
        assertTrue(fdb.contains(mac2), "c2's MAC learned: " + fdb);
        final String table = wharf.ok("fdb", "show", "front");
        assertTrue(table.lines().anyMatch(l -> l.contains(mac1) && l.contains(p1)), "c1's MAC on c1's port: " + table);
        assertTrue(table.lines().anyMatch(l -> l.contains(mac2) && l.contains(p2)), "c2's MAC on c2's port: " + table);

        // c1's first ARP request was a broadcast: flooded to c3 too, which has not spoken since
        assertTrue(Stats.port(wharf, p3, "txPackets") > 0, "the broadcast reached c3's port");
        assertTrue(Stats.counter(wharf, "l2-flood.flooded") > 0, "flooding counted");

        assertTrue(topology.ping(c1, "10.10.0.1", 3), "the gateway answers ping");
        assertTrue(topology.ping(c3, "10.10.0.2", 2), "c3 -> c1");

        Transfers.tcpTransferWithChecksum(topology, c1, c2, "10.10.0.3", 5001, 100);
        Transfers.tcpTransferWithChecksum(topology, c2, c1, "10.10.0.2", 5002, 20);
    }

    @Test
    void nothingReachesAnotherNetwork() throws Exception
    {
        final String mac4 = topology.mac(c4, iface(c4));
        assertTrue(topology.ping(c4, "10.20.0.1", 1), "back's own gateway answers");
        // pin c4's gateway neighbour: the kernel's reachability probe a few seconds later would be a frame in back
        final String gatewayMac = topology.exec(c4, "ip", "neigh", "show", "10.20.0.1").stdout().split("lladdr ")[1].split(" ")[0];
        topology.exec(c4, "ip", "neigh", "replace", "10.20.0.1", "lladdr", gatewayMac, "dev", iface(c4), "nud", "permanent")
            .assertOk("pin the gateway neighbour");
        final long c4RxBefore = rxPackets(c4);

        // broadcasts and frames sent straight to c4's MAC from front stay in front
        topology.exec(c1, "ping", "-b", "-c", "3", "-i", "0.2", "-W", "1", "10.10.0.255");
        topology.exec(c1, "ip", "route", "add", "10.20.0.2/32", "dev", iface(c1)).assertOk("on-link route");
        topology.exec(c1, "ip", "neigh", "replace", "10.20.0.2", "lladdr", mac4, "dev", iface(c1), "nud", "permanent")
            .assertOk("static neighbour");
        assertFalse(topology.ping(c1, "10.20.0.2", 3), "front must not reach back");
        assertEquals(c4RxBefore, rxPackets(c4), "not one frame from front arrived in back");
        assertFalse(wharf.ok("fdb", "show", "back").contains(topology.mac(c1, iface(c1))), "back never learned c1");
    }

    /**
     * True when the containers send nothing before the test does. A TAP device is created in the host's namespace,
     * whose IPv6 settings it keeps, and the kernel sends router solicitations from it as soon as it is up.
     */
    abstract boolean startsQuiet();

    /** The namespace's interface name for the container's port. */
    abstract String iface(String ns);

    private long rxPackets(final String ns)
    {
        return Long.parseLong(topology.exec(ns, "cat", "/sys/class/net/" + iface(ns) + "/statistics/rx_packets")
            .assertOk("rx_packets").stdout().strip());
    }
}
