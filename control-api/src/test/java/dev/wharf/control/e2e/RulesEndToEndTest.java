package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User rules between two containers of one network, c1 (10.50.0.2) and c2 (10.50.0.3) on {@code lan}:
 * their frames are bridged and never reach the router, so only l2-user-rules can apply a rule to them.
 * A deny makes c1's connections to c2 time out; a reject makes them fail at once, TCP with "connection
 * refused" (tcp-reset's reset from c2's address) and ping with an unreachable from the gateway.
 * Namespaces and links are named mr-*; the servers are stopped by PID, the topology removed even on failure.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RulesEndToEndTest
{
    private static final String C2_IP = "10.50.0.3";

    private Topology topology;
    private WharfDaemonProcess wharf;
    private final List<BackgroundProcess> servers = new ArrayList<>();
    private String c1;
    private String c2;

    @BeforeEach
    void setUp() throws Exception
    {
        Host.requireRootAnd("ip", "python3", "ping");
        topology = new Topology("mr");
        wharf = new WharfDaemonProcess().start();
        wharf.ok("network", "create", "lan", "--subnet", "10.50.0.0/24");
        c1 = container("c1", "10.50.0.2");
        c2 = container("c2", C2_IP);
        servers.add(NetPeer.server(c2, "tcp-server", 80, "c2"));
    }

    private String container(final String name, final String ip)
    {
        final String ns = topology.namespace(name);
        wharf.ok("port", "attach", "lan", topology.container(ns, topology.name(name), ip + "/24", "10.50.0.1"), "--ip", ip);
        return ns;
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final BackgroundProcess server : servers)
            {
                server.close();
            }
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
    void aDenyBetweenTwoContainersOfOneNetworkBlocksThemAndARejectRefusesAtOnce()
    {
        assertEquals("c2", NetPeer.tcp(c1, C2_IP, 80, wharf.log()).group(1), "no rule: c1 reaches c2");
        assertTrue(topology.ping(c1, C2_IP, 2), "no rule: c1 pings c2");

        final String deny = wharf.ok("rule", "add", "deny", "--src", "10.50.0.2", "--dst", C2_IP).strip();
        final Host.Result denied = NetPeer.client(c1, "tcp-client", C2_IP, "80");
        assertTrue(denied.exitCode() != 0, () -> "a deny blocks c1 -> c2 inside one network: " + denied.stdout());
        assertTrue(denied.stderr().contains("timed out") || denied.stderr().contains("Timeout"), denied::stderr);
        assertFalse(topology.ping(c1, C2_IP, 2), "nor does a ping pass");
        assertTrue(Stats.counter(wharf, "l2-user-rules.denied-by-rule") >= 2, () -> wharf.ok("stats"));
        assertTrue(topology.ping(c2, "10.50.0.2", 2), "c2 -> c1 matches no rule");
        wharf.ok("rule", "rm", deny);

        wharf.ok("rule", "add", "reject", "--src", "10.50.0.2", "--dst", C2_IP);
        final Host.Result refused = NetPeer.client(c1, "tcp-client", C2_IP, "80");
        assertTrue(refused.exitCode() != 0, refused::stdout);
        assertTrue(refused.stderr().contains("ConnectionRefusedError"), () -> "refused at once, not a timeout: " + refused.stderr());
        final Host.Result ping = topology.exec(20, c1, "ping", "-c", "1", "-W", "2", C2_IP);
        assertTrue(ping.exitCode() != 0 && ping.stdout().contains("From 10.50.0.1") && ping.stdout().contains("Packet filtered"),
            () -> "an administratively-prohibited unreachable from the gateway: " + ping.stdout() + ping.stderr());
        assertTrue(Stats.counter(wharf, "l2-user-rules.rejected-by-rule") >= 2, () -> wharf.ok("stats"));
        final String rules = wharf.ok("rule", "ls");
        assertTrue(rules.contains("reject"), rules);
        assertTrue(topology.ping(c2, "10.50.0.2", 2), "c2 -> c1 still passes");
    }
}
