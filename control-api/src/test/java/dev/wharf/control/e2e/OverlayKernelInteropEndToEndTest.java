package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wharf's VXLAN against the kernel's: host A is a namespace running Wharf (underlay 10.200.0.1,
 * overlay network ov, VNI 42, container cA at 10.50.0.2), host B a namespace running the Linux VXLAN
 * device in a Linux bridge with container cB at 10.50.0.3, joined by a veth underlay. A floods to B
 * ({@code vtep add ov 10.200.0.2}), B to A (an all-zero FDB entry). Ping both ways, 100 MB of TCP
 * each way with a content check, and B's kernel learns cA's MAC behind A's VTEP.
 */
class OverlayKernelInteropEndToEndTest
{
    private Topology topology;
    private OverlayHost a;
    private OverlayHost b;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (a != null)
            {
                a.close();
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
    void wharfAndTheKernelVxlanDeviceShareOneL2NetworkAndTheKernelLearnsWharfsContainerBehindItsVtep() throws Exception
    {
        Host.requireRootAnd("ip", "bridge", "ethtool", "ping", "socat", "sha256sum");
        topology = new Topology("ovk");
        final String hostA = topology.namespace("ha");
        final String hostB = topology.namespace("hb");
        topology.link(hostA, OverlayHost.UNDERLAY_DEV, "10.200.0.1/24", hostB, OverlayHost.UNDERLAY_DEV, "10.200.0.2/24");
        b = OverlayHost.kernelVxlan(topology, hostB, "10.200.0.2", "10.200.0.1", "cb", "10.50.0.3");
        a = OverlayHost.wharf(topology, hostA, "10.200.0.1", "vxlan", "ca", "10.50.0.2");
        a.floodTo(b);

        final String fdbBefore = topology.exec(hostB, "bridge", "fdb", "show", "dev", "vx0").assertOk("bridge fdb").stdout();
        assertFalse(fdbBefore.contains(a.containerMac), "B has not seen cA yet: " + fdbBefore);

        assertTrue(topology.ping(a.container, b.containerIp, 3), "cA -> cB across the overlay\n" + a.log());
        assertTrue(topology.ping(b.container, a.containerIp, 3), "cB -> cA across the overlay\n" + a.log());

        final String fdb = topology.exec(hostB, "bridge", "fdb", "show", "dev", "vx0").assertOk("bridge fdb").stdout();
        assertTrue(fdb.lines().anyMatch(l -> l.startsWith(a.containerMac + " ") && l.contains("dst 10.200.0.1")),
            "B's kernel learned cA's MAC " + a.containerMac + " behind A's VTEP 10.200.0.1:\n" + fdb);
        final String wharfFdb = a.wharf.ok("fdb", "show", "ov");
        assertTrue(wharfFdb.contains(b.containerMac), "A's Wharf learned cB's MAC: " + wharfFdb);

        Transfers.tcpTransferWithChecksum(topology, a.container, b.container, b.containerIp, 5001, 100);
        Transfers.tcpTransferWithChecksum(topology, b.container, a.container, a.containerIp, 5002, 100);
        assertTrue(a.wharf.isAlive(), "daemon alive\n" + a.log());
    }
}
