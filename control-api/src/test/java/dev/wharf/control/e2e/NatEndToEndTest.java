package dev.wharf.control.e2e;

import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.ConntrackStatsResponse;
import dev.wharf.control.api.v1.Connection;
import dev.wharf.control.api.v1.Counter;
import dev.wharf.control.api.v1.ListConnectionsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing, connection tracking and NAT with real namespaces. "outside" (10.99.0.1/24) sits on one
 * end of a veth pair whose other end, in the root namespace and without an address, is Wharf's
 * uplink (10.99.0.2). Containers: f1, f2 on {@code front} (masquerade), s1 on {@code secure}
 * (--internal), p1, p2 on {@code pvlan} (--icc false). Every server (netpeer.py) answers with the
 * peer address it sees, so the tests read the translation where it happens.
 *
 * <p>The router drops the first packet to a neighbour it has not resolved yet (it ARPs instead),
 * so clients retry (TCP's SYN retransmit, UDP clients send up to four times, pings count any reply).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NatEndToEndTest
{
    private static final String OUTSIDE_IP = "10.99.0.1";
    private static final String UPLINK_IP = "10.99.0.2";

    private Topology topology;
    private WharfDaemonProcess wharf;
    private final List<BackgroundProcess> servers = new ArrayList<>();
    private String outside;
    /** The uplink's interface (the root namespace's end of outside's veth). */
    private String uplink;
    private String f1;
    private String f2;
    private String s1;
    private String p1;
    private String p2;

    /** Builds the topology and a daemon with {@code daemonArgs}, uplink and networks set. */
    private void start(final String... daemonArgs) throws Exception
    {
        Host.requireRootAnd("ip", "python3", "ping");
        topology = new Topology("nat");
        wharf = new WharfDaemonProcess(daemonArgs).start();
        outside = topology.namespace("out");
        uplink = topology.container(outside, "nat-up", OUTSIDE_IP + "/24", null);
        // everything Wharf's networks hold lies behind the uplink address, as it would behind a host
        topology.exec(outside, "ip", "route", "add", "10.0.0.0/8", "via", UPLINK_IP).assertOk("route to the containers");
        wharf.ok("uplink", "set", uplink, "--ip", UPLINK_IP + "/24", "--gateway", OUTSIDE_IP);
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("network", "create", "secure", "--subnet", "10.30.0.0/24", "--internal");
        wharf.ok("network", "create", "pvlan", "--subnet", "10.40.0.0/24", "--icc", "false");
        f1 = container("f1", "front", "10.10.0.2", "10.10.0.1");
        f2 = container("f2", "front", "10.10.0.3", "10.10.0.1");
        s1 = container("s1", "secure", "10.30.0.2", "10.30.0.1");
        p1 = container("p1", "pvlan", "10.40.0.2", "10.40.0.1");
        p2 = container("p2", "pvlan", "10.40.0.3", "10.40.0.1");
    }

    private String container(final String name, final String network, final String ip, final String gateway)
    {
        final String ns = topology.namespace(name);
        final String hostEnd = topology.container(ns, "nat-" + name, ip + "/24", gateway);
        wharf.ok("port", "attach", network, hostEnd, "--ip", ip);
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

    private List<String> peer(final String ns, final String... args)
    {
        return NetPeer.command(ns, args);
    }

    /** Starts a netpeer server in {@code ns} and waits until it listens. */
    private void server(final String ns, final String mode, final int port, final String name) throws Exception
    {
        servers.add(NetPeer.server(ns, mode, port, name));
    }

    private Host.Result client(final String ns, final String... args)
    {
        return NetPeer.client(ns, args);
    }

    /** The "who=... peer=..." line a TCP client got, asserting it connected. */
    private Matcher tcp(final String ns, final String host, final int port)
    {
        return NetPeer.tcp(ns, host, port, wharf.log());
    }

    private boolean tcpFails(final String ns, final String host, final int port)
    {
        return client(ns, "tcp-client", host, Integer.toString(port)).exitCode() != 0;
    }

    @Test
    void masqueradedConnectionsLeaveWithTheUplinkAddress() throws Exception
    {
        start();
        server(outside, "tcp-server", 8000, "outside");
        server(outside, "udp-server", 9000, "outside");

        final Matcher one = tcp(f1, OUTSIDE_IP, 8000);
        assertEquals(UPLINK_IP, one.group(2), "the outside sees the uplink address, not the container's");

        final Host.Result parallel = client(f2, "tcp-parallel", OUTSIDE_IP, "8000", "20");
        parallel.assertOk("20 parallel connections");
        assertTrue(parallel.stdout().startsWith("ok=20\n"), parallel.stdout());
        final Matcher each = NetPeer.ANSWER.matcher(parallel.stdout());
        int seen = 0;
        while (each.find())
        {
            assertEquals(UPLINK_IP, each.group(2), parallel.stdout());
            seen++;
        }
        assertEquals(20, seen);

        final ListConnectionsResponse.Builder listed = ListConnectionsResponse.newBuilder();
        JsonFormat.parser().merge(wharf.ok("conntrack", "list", "--json"), listed);
        int translated = 0;
        for (final Connection c : listed.getConnectionsList())
        {
            if ("tcp".equals(c.getProtocol()) && "10.10.0.3".equals(c.getOriginal().getSource()) &&
                OUTSIDE_IP.equals(c.getOriginal().getDestination()) && c.getOriginal().getDestinationPort() == 8000)
            {
                assertEquals(UPLINK_IP, c.getReply().getDestination(), c.toString());
                assertNotEquals(0, c.getReply().getDestinationPort(), c.toString());
                translated++;
            }
        }
        assertTrue(translated >= 20, () -> "the 20 connections with their translation: " + listed);
        assertTrue(Long.parseLong(wharf.ok("conntrack", "count").strip()) >= 20);

        final Host.Result udp = client(f1, "udp-client", OUTSIDE_IP, "9000");
        udp.assertOk("UDP request/response");
        assertTrue(udp.stdout().contains("peer=" + UPLINK_IP + ":"), udp.stdout());
    }

    /**
     * Issue 19: a masqueraded connection whose uplink address goes (uplink rm, then set with another
     * address) ends with a reset at its next segment, as Linux's MASQUERADE forgets the address; before,
     * the client waited out its own timeout.
     */
    @Test
    void aConnectionMasqueradedToAnAddressThatGoesIsReset() throws Exception
    {
        start();
        server(outside, "tcp-server", 8000, "outside");
        final BackgroundProcess hold = BackgroundProcess.start(NetPeer.command(f1, "tcp-hold", OUTSIDE_IP, "8000", "60"));
        servers.add(hold);
        assertTrue(BackgroundProcess.await(10, () -> hold.stdout().contains("peer=" + UPLINK_IP)), hold.stdout() + hold.stderr());

        wharf.ok("uplink", "rm");
        wharf.ok("uplink", "set", uplink, "--ip", "10.99.0.3/24", "--gateway", OUTSIDE_IP);

        assertTrue(BackgroundProcess.await(10, () -> hold.stdout().contains("end=")), hold.stdout() + "\n" + wharf.log());
        assertTrue(hold.stdout().contains("end=reset"), "reset, not left hanging: " + hold.stdout());
        assertTrue(Stats.counter(wharf, "ip4-nat-in.ended") >= 1);
        final Matcher again = tcp(f1, OUTSIDE_IP, 8000);
        assertEquals("10.99.0.3", again.group(2), "new connections leave with the new address");
    }

    @Test
    void publishedPortsReachTheirContainersFromOutsideAndFromInside() throws Exception
    {
        start();
        server(f2, "tcp-server", 80, "f2");
        server(f1, "tcp-server", 81, "f1");
        wharf.ok("publish", "add", "front", "10.10.0.3:80", "-p", "8080/tcp");
        wharf.ok("publish", "add", "front", "10.10.0.2:81", "-p", UPLINK_IP + ":8081/tcp");

        final Matcher toF2 = tcp(outside, UPLINK_IP, 8080);
        assertEquals("f2", toF2.group(1));
        assertEquals(OUTSIDE_IP, toF2.group(2), "published ports keep the client's address");
        assertEquals("f1", tcp(outside, UPLINK_IP, 8081).group(1), "a second published port on another container");
        assertEquals("f2", tcp(f1, UPLINK_IP, 8080).group(1), "hairpin: a container reaches a published port on the uplink address");

        wharf.ok("publish", "rm", "front", "8080/tcp");
        assertFalse(wharf.ok("publish", "ls").contains(":8080"));
        assertTrue(tcpFails(outside, UPLINK_IP, 8080), "an unpublished port is closed");
        assertEquals("f1", tcp(outside, UPLINK_IP, 8081).group(1), "the other one stays");
    }

    @Test
    void internalAndIccPoliciesAndUserRulesIsolate() throws Exception
    {
        start();
        server(outside, "tcp-server", 8000, "outside");
        server(s1, "tcp-server", 80, "s1");
        server(p2, "tcp-server", 80, "p2");

        assertTrue(tcpFails(s1, OUTSIDE_IP, 8000), "an internal network has no way out");
        assertTrue(tcpFails(outside, "10.30.0.2", 80), "and no way in");
        assertFalse(topology.exec(20, p1, "ping", "-c", "3", "-W", "1", "10.40.0.3").exitCode() == 0, "icc off: no ping between containers");
        assertTrue(tcpFails(p1, "10.40.0.3", 80), "icc off: no TCP between containers");
        assertEquals(UPLINK_IP, tcp(p1, OUTSIDE_IP, 8000).group(2), "icc off still reaches the outside");

        assertEquals(UPLINK_IP, tcp(f1, OUTSIDE_IP, 8000).group(2));
        final String id = wharf.ok("rule", "add", "deny", "--src", "10.10.0.0/24", "--dst", "0.0.0.0/0", "--proto", "tcp", "--dport", "8000").strip();
        assertTrue(tcpFails(f1, OUTSIDE_IP, 8000), "a deny rule blocks new connections");
        wharf.ok("rule", "rm", id);
        assertEquals(UPLINK_IP, tcp(f1, OUTSIDE_IP, 8000).group(2), "removing the rule allows them again");
    }

    @Test
    void icmpErrorsComeFromTheGatewayAndReachTheirContainer() throws Exception
    {
        start();
        final Host.Result ttl = topology.exec(20, f1, "ping", "-c", "3", "-W", "1", "-t", "1", OUTSIDE_IP);
        assertTrue(ttl.stdout().contains("From 10.10.0.1") && ttl.stdout().toLowerCase().contains("time to live exceeded"),
            () -> "TTL exceeded from the ingress gateway: " + ttl.stdout() + ttl.stderr());

        final Host.Result refused = client(f1, "udp-client", OUTSIDE_IP, "9999");
        assertEquals(2, refused.exitCode(), () -> "port unreachable translated back to the container: " + refused.stdout() + refused.stderr());
        assertTrue(refused.stdout().contains("refused"), refused.stdout());

        // an error Wharf makes about a published port's packet quotes it as the outside sent it (to the
        // uplink address and the published port), or the outside's kernel could not match it to a socket
        server(f1, "udp-server", 53, "f1");
        wharf.ok("publish", "add", "front", "10.10.0.2:53", "-p", "5353/udp");
        final Host.Result expired = client(outside, "udp-ttl", UPLINK_IP, "5353", "1");
        assertEquals(0, expired.exitCode(), () -> "time exceeded reaching the outside's socket: " + expired.stdout() + expired.stderr());
        assertEquals("icmp type=11 code=0 from=" + UPLINK_IP, expired.stdout().strip());
    }

    @Test
    void aFullTableDropsNewFlowsButEstablishedOnesKeepFlowing() throws Exception
    {
        start("--conntrack-max", "64");
        server(outside, "tcp-server", 8000, "outside");
        final BackgroundProcess stream = BackgroundProcess.start(peer(f1, "tcp-stream", OUTSIDE_IP, "8000", "10"));
        servers.add(stream);
        Thread.sleep(2_000);
        client(f2, "udp-flood", OUTSIDE_IP, "200").assertOk("200 new UDP flows");

        final ConntrackStatsResponse.Builder stats = ConntrackStatsResponse.newBuilder();
        JsonFormat.parser().merge(wharf.ok("conntrack", "stats", "--json"), stats);
        assertEquals(64, stats.getMax());
        assertTrue(stats.getCount() <= 64, stats::toString);
        long full = 0;
        for (final Counter counter : stats.getCountersList())
        {
            if (counter.getName().contains("full") || counter.getName().contains("early-drop"))
            {
                full += counter.getValue();
            }
        }
        assertTrue(full > 0, () -> "table-full or early drops counted: " + stats);

        assertEquals(0, stream.waitFor(30), () -> "the established stream ended: " + stream.stderr());
        final Matcher m = Pattern.compile("replies=(\\d+) errors=(\\d+)").matcher(stream.stdout());
        assertTrue(m.find(), stream.stdout());
        assertEquals("0", m.group(2), "no error on the established connection: " + stream.stdout());
        assertTrue(Integer.parseInt(m.group(1)) >= 50, () -> "it kept transferring through the flood: " + stream.stdout());
        assertTrue(wharf.isAlive(), "the daemon keeps forwarding");
        assertEquals(UPLINK_IP, tcp(f1, OUTSIDE_IP, 8000).group(2), "and sets up new connections once flows expire or are early-dropped");
    }
}
