package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration changes swap snapshots under running traffic: while 50 MB TCP transfers run one
 * after another between two containers, networks are created and removed and other ports attached and detached,
 * over and over. The transfer arrives intact and the two ports it uses count no drop.
 */
class LiveChangesEndToEndTest
{
    private static final int CHURN_ROUNDS = 6;

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
    void addingAndRemovingNetworksAndPortsDisturbsNoOtherTraffic() throws Exception
    {
        Host.requireRootAnd("ip", "socat", "sha256sum");
        topology = new Topology("wtel");
        wharf = new WharfDaemonProcess().start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        final String c1 = topology.namespace("c1");
        final String c2 = topology.namespace("c2");
        final String c3 = topology.namespace("c3");
        final String p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        final String p2 = topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1");
        final String p3 = topology.container(c3, topology.name("h3"), "10.10.0.4/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", p2, "--ip", "10.10.0.3");
        assertTrue(topology.ping(c1, "10.10.0.3", 1), "path up before the churn");

        final AtomicReference<Throwable> churnFailure = new AtomicReference<>();
        final Thread churn = new Thread(() ->
        {
            try
            {
                for (int round = 0; round < CHURN_ROUNDS; round++)
                {
                    wharf.ok("network", "create", "side" + round, "--subnet", "10.3" + round + ".0.0/24");
                    wharf.ok("port", "attach", "front", p3, "--ip", "10.10.0.4");
                    wharf.ok("port", "attach", "side" + round, topology.name("t" + round), "--tap");
                    wharf.ok("port", "detach", "side" + round, topology.name("t" + round));
                    wharf.ok("port", "detach", "front", p3);
                    wharf.ok("network", "rm", "side" + round);
                }
            }
            catch (final Throwable e)
            {
                churnFailure.set(e);
            }
        }, "churn");
        churn.start();
        int transfers = 0;
        while ((churn.isAlive() || transfers < 2) && transfers < 40)
        {
            Transfers.tcpTransferWithChecksum(topology, c1, c2, "10.10.0.3", 5003 + transfers, 50);
            transfers++;
        }
        churn.join(180_000);
        assertTrue(!churn.isAlive(), "the churn finished");
        assertNull(churnFailure.get(), () -> "the configuration changes themselves worked: " + churnFailure.get());

        for (final String port : new String[]{p1, p2})
        {
            assertEquals(0, Stats.port(wharf, port, "rxDrops"), port + " dropped nothing it received");
            assertEquals(0, Stats.port(wharf, port, "txDrops"), port + " dropped nothing it sent");
        }
        assertTrue(Stats.port(wharf, p2, "rxPackets") > 1000, "the transfer went through the ports measured");
    }
}
