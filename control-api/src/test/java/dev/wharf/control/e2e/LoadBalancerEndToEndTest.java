package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load balancer with real namespaces, driven from the CLI. Network {@code front} (10.10.0.0/24) holds
 * three backends b1..b3 (10.10.0.11..13, each a netpeer server on TCP 8080 and UDP 5353 that answers with
 * its own name) and a client c1 (10.10.0.2); "outside" (10.99.0.1) sits behind the uplink (10.99.0.2). The
 * VIP 10.10.0.100 lies inside front's subnet, so the gateway answers ARP for it (lb-vip-arp), and c1's
 * connections to it are hairpinned back into front.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LoadBalancerEndToEndTest
{
    private static final String VIP = "10.10.0.100";
    private static final String WEB = VIP + ":80/tcp";
    private static final String DNS = VIP + ":53/udp";
    private static final String[] BACKENDS = {"10.10.0.11", "10.10.0.12", "10.10.0.13"};
    private static final String OUTSIDE_IP = "10.99.0.1";
    private static final String UPLINK_IP = "10.99.0.2";

    private Topology topology;
    private WharfDaemonProcess wharf;
    /** Source addresses the Maglev test connects from, one connection each. */
    private static final int CLIENT_SOURCES = 30;
    private final List<BackgroundProcess> processes = new ArrayList<>();
    private String client;
    private String outside;
    /** b1..b3's namespaces. */
    private final List<String> backendNamespaces = new ArrayList<>();

    private void start() throws Exception
    {
        Host.requireRootAnd("ip", "python3");
        topology = new Topology("lb");
        wharf = new WharfDaemonProcess().start();
        outside = topology.namespace("out");
        final String uplink = topology.container(outside, "lb-up", OUTSIDE_IP + "/24", null);
        topology.exec(outside, "ip", "route", "add", "10.10.0.0/24", "via", UPLINK_IP).assertOk("route to front");
        wharf.ok("uplink", "set", uplink, "--ip", UPLINK_IP + "/24", "--gateway", OUTSIDE_IP);
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        client = container("c1", "10.10.0.2");
        for (int b = 0; b < BACKENDS.length; b++)
        {
            final String ns = container("b" + (b + 1), BACKENDS[b]);
            backendNamespaces.add(ns);
            processes.add(NetPeer.server(ns, "tcp-server", 8080, "b" + (b + 1)));
            processes.add(NetPeer.server(ns, "udp-server", 5353, "b" + (b + 1)));
        }
    }

    private String container(final String name, final String ip)
    {
        final String ns = topology.namespace(name);
        final String hostEnd = topology.container(ns, "lb-" + name, ip + "/24", "10.10.0.1");
        wharf.ok("port", "attach", "front", hostEnd, "--ip", ip);
        return ns;
    }

    private void webService(final String scheduler, final int... weights)
    {
        wharf.ok("lb", "add", WEB, "--scheduler", scheduler, "--name", "web");
        for (int b = 0; b < BACKENDS.length; b++)
        {
            wharf.ok("lb", "backend", "add", WEB, BACKENDS[b] + ":8080", "--weight", Integer.toString(weights.length == 0 ? 1 : weights[b]));
        }
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final BackgroundProcess process : processes)
            {
                process.close();
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

    /** {@code count} connections to the VIP from {@code ns}, {@code batch} at a time: how many each backend answered. */
    private Map<String, Integer> connect(final String ns, final String host, final int port, final int count, final int batch)
    {
        final Map<String, Integer> hits = new TreeMap<>();
        for (int done = 0; done < count; done += batch)
        {
            final Host.Result result = NetPeer.client(ns, "tcp-parallel", host, Integer.toString(port), Integer.toString(batch));
            result.assertOk("connections to " + host + ":" + port);
            assertTrue(result.stdout().startsWith("ok=" + batch + "\n"), result.stdout() + "\n" + wharf.log());
            final Matcher m = NetPeer.ANSWER.matcher(result.stdout());
            while (m.find())
            {
                hits.merge(m.group(1), 1, Integer::sum);
            }
        }
        return hits;
    }

    @Test
    void schedulersSpreadConnectionsAsConfigured() throws Exception
    {
        start();
        webService("rr");
        assertEquals(Map.of("b1", 100, "b2", 100, "b3", 100), connect(client, VIP, 80, 300, 50), "rr: exactly even");
        final String listing = wharf.ok("lb", "ls");
        assertTrue(listing.contains("10.10.0.11:8080") && listing.contains("100"), listing);

        wharf.ok("lb", "rm", WEB);
        webService("wrr", 2, 1, 1);
        final Map<String, Integer> weighted = connect(client, VIP, 80, 300, 50);
        assertEquals(150, weighted.get("b1"), 15, "wrr 2:1:1 " + weighted);
        assertEquals(75, weighted.get("b2"), 8, "wrr 2:1:1 " + weighted);
        assertEquals(75, weighted.get("b3"), 8, "wrr 2:1:1 " + weighted);

        for (final String hashing : List.of("sh", "mh"))
        {
            wharf.ok("lb", "rm", WEB);
            webService(hashing);
            final Map<String, Integer> one = connect(client, VIP, 80, 20, 10);
            assertEquals(1, one.size(), hashing + ": one client, one backend " + one);
            assertEquals(20, one.values().iterator().next());
        }

        wharf.ok("lb", "rm", WEB);
        wharf.ok("lb", "add", WEB, "--scheduler", "rr", "--persistent", "60");
        for (final String backend : BACKENDS)
        {
            wharf.ok("lb", "backend", "add", WEB, backend + ":8080");
        }
        final Map<String, Integer> pinned = connect(client, VIP, 80, 20, 10);
        assertEquals(1, pinned.size(), "rr --persistent 60: the client stays on one backend " + pinned);
        assertTrue(wharf.ok("lb", "ls").contains("rr persistent 60"));
    }

    @Test
    void leastConnectionSchedulersSendNewConnectionsToTheBackendThatLongConnectionsDoNotHold() throws Exception
    {
        start();
        for (final String scheduler : List.of("lc", "wlc"))
        {
            webService(scheduler);
            final List<BackgroundProcess> holds = new ArrayList<>();
            final List<String> held = new ArrayList<>();
            for (int h = 0; h < 2; h++)
            {
                final BackgroundProcess hold = BackgroundProcess.start(NetPeer.command(client, "tcp-hold", VIP, "80", "30"));
                processes.add(hold);
                holds.add(hold);
                assertTrue(BackgroundProcess.await(10, () -> hold.stdout().contains("who=")), hold.stdout() + hold.stderr());
                final Matcher answer = NetPeer.ANSWER.matcher(hold.stdout());
                assertTrue(answer.find());
                held.add(answer.group(1));
            }
            assertEquals(List.of("b1", "b2"), held, scheduler + ": the first two long connections take b1, then b2");

            // one at a time: each closes before the next, so b3 holds only closed (inactive) connections, which
            // weigh 1/256 of an active one as in IPVS, and stays the least loaded
            final Map<String, Integer> hits = connect(client, VIP, 80, 20, 1);
            assertEquals(Map.of("b3", 20), hits, scheduler + ": every new connection to the idle backend\n" + wharf.ok("lb", "ls"));
            for (final BackgroundProcess hold : holds)
            {
                assertFalse(hold.stdout().contains("end="), scheduler + ": the long connections are held: " + hold.stdout());
                hold.close();
            }
            wharf.ok("lb", "rm", WEB);
        }
    }

    @Test
    void maglevMovesOnlyTheClientsOfARemovedBackend() throws Exception
    {
        start();
        webService("mh");
        final List<String> sources = new ArrayList<>();
        for (int s = 0; s < CLIENT_SOURCES; s++)
        {
            final String source = "10.10.0." + (50 + s);
            topology.exec(client, "ip", "addr", "add", source + "/24", "dev", "eth0").assertOk("client address " + source);
            sources.add(source);
        }
        final Map<String, String> before = backendBySource(sources);
        assertEquals(3, new HashSet<>(before.values()).size(), "mh spreads " + CLIENT_SOURCES + " clients over all three " + before);

        wharf.ok("lb", "backend", "rm", WEB, BACKENDS[2] + ":8080");
        final Map<String, String> after = backendBySource(sources);

        for (final String source : sources)
        {
            if (!before.get(source).equals("b3"))
            {
                assertEquals(before.get(source), after.get(source), source + " was on " + before.get(source) + ": it must not move");
            }
            else
            {
                assertTrue(after.get(source).equals("b1") || after.get(source).equals("b2"), source + " left b3 for " + after.get(source));
            }
        }
    }

    /** One connection to the VIP from each source address of the client: the backend that answered each. */
    private Map<String, String> backendBySource(final List<String> sources)
    {
        final Host.Result result = NetPeer.client(client, "tcp-sources", VIP, "80", String.join(",", sources));
        result.assertOk("connections from " + sources.size() + " sources\n" + wharf.log());
        final Map<String, String> backends = new TreeMap<>();
        final Matcher m = Pattern.compile("src=(\\S+) who=(\\S+)").matcher(result.stdout());
        while (m.find())
        {
            backends.put(m.group(1), m.group(2));
        }
        assertEquals(sources.size(), backends.size(), result.stdout());
        return backends;
    }

    @Test
    void aQuiescedBackendKeepsItsConnectionAndADrainedOneEndsItWithAReset() throws Exception
    {
        start();
        webService("rr");
        final BackgroundProcess hold = BackgroundProcess.start(NetPeer.command(client, "tcp-hold", VIP, "80", "60"));
        processes.add(hold);
        assertTrue(BackgroundProcess.await(10, () -> hold.stdout().contains("who=")), hold.stdout() + hold.stderr());
        final Matcher held = NetPeer.ANSWER.matcher(hold.stdout());
        assertTrue(held.find());
        final String heldBackend = BACKENDS[Integer.parseInt(held.group(1).substring(1)) - 1];

        wharf.ok("lb", "backend", "add", WEB, "10.10.0.14:8080");
        wharf.ok("lb", "backend", "rm", WEB, "10.10.0.14:8080");
        wharf.ok("lb", "backend", "set", WEB, heldBackend + ":8080", "--weight", "0");
        final Map<String, Integer> hits = connect(client, VIP, 80, 30, 10);
        assertFalse(hits.containsKey(held.group(1)), "the quiesced backend got new connections: " + hits);
        assertTrue(hold.isAlive() && !hold.stdout().contains("end="), "the held connection survived the changes: " + hold.stdout());

        // a grace time longer than a CLI call takes on a loaded machine, so that the listing sees the drain
        final long removedAt = System.nanoTime();
        wharf.ok("lb", "backend", "rm", WEB, heldBackend + ":8080", "--drain", "6s");
        final String draining = wharf.ok("lb", "ls");
        assertFalse(hold.stdout().contains("end="), "still running within its grace time: " + hold.stdout());
        assertTrue(System.nanoTime() - removedAt > TimeUnit.SECONDS.toNanos(6) || draining.contains("draining"), draining);
        assertTrue(BackgroundProcess.await(20, () -> hold.stdout().contains("end=")), hold.stdout());
        assertTrue(System.nanoTime() - removedAt >= TimeUnit.SECONDS.toNanos(5), "ended before its grace time: " + hold.stdout());
        assertTrue(hold.stdout().contains("end=reset"), "the client got a reset, not a black hole: " + hold.stdout());
        assertFalse(wharf.ok("lb", "ls").contains(heldBackend + ":8080"));
        assertTrue(Stats.counter(wharf, "ip4-nat-in.ended") >= 1);
    }

    @Test
    void aUdpClientMovesToAnotherBackendAtOnceWhenItsBackendGoes() throws Exception
    {
        start();
        wharf.ok("lb", "add", DNS, "--scheduler", "rr");
        for (final String backend : BACKENDS)
        {
            wharf.ok("lb", "backend", "add", DNS, backend + ":5353");
        }
        final Path go = Files.createTempFile("wharf-lb-udp", ".go");
        Files.delete(go);
        final BackgroundProcess pair = BackgroundProcess.start(NetPeer.command(client, "udp-pair", VIP, "53", go.toString()));
        processes.add(pair);
        assertTrue(BackgroundProcess.await(10, () -> pair.stdout().contains("who=")), pair.stdout() + pair.stderr());
        final Matcher first = NetPeer.ANSWER.matcher(pair.stdout());
        assertTrue(first.find());
        assertEquals("10.10.0.1", first.group(2), "hairpinned within front: the backend sees the gateway's address");

        wharf.ok("lb", "backend", "rm", DNS, BACKENDS[Integer.parseInt(first.group(1).substring(1)) - 1] + ":5353");
        Files.createFile(go);
        assertEquals(0, pair.waitFor(15), pair.stderr());
        final Matcher second = NetPeer.ANSWER.matcher(pair.stdout());
        assertTrue(second.find() && second.find(), pair.stdout());
        assertNotEquals(first.group(1), second.group(1), "the same socket, answered by another backend");
        Files.deleteIfExists(go);
    }

    @Test
    void theVipIsReachedFromOutsideThroughAPublishedPortAndSurvivesARestart() throws Exception
    {
        start();
        webService("rr");
        wharf.ok("publish", "add", "front", VIP + ":80", "-p", UPLINK_IP + ":80/tcp");
        assertEquals(3, connect(outside, UPLINK_IP, 80, 30, 10).size(), "outside reaches every backend through the VIP");

        wharf.kill9();
        wharf.start();
        final String listing = wharf.ok("lb", "ls", "--json");
        assertTrue(listing.contains("\"10.10.0.13\""), listing);
        assertEquals(Map.of("b1", 10, "b2", 10, "b3", 10), connect(client, VIP, 80, 30, 10), "restored: rr again");
    }

    @Test
    void aBackendWhoseServerDiesIsTakenOutByItsHealthCheckAndComesBackAfterRise() throws Exception
    {
        start();
        webService("rr");
        wharf.ok("lb", "health", WEB, "--tcp-connect", "--interval", "300ms", "--timeout", "200ms", "--fall", "2", "--rise", "2");
        assertTrue(BackgroundProcess.await(10, () -> wharf.ok("lb", "ls").split("\\bup\\b", -1).length == 4),
            "every backend probed up: " + wharf.ok("lb", "ls"));

        // b2's TCP server is the third process started (b1 tcp, b1 udp, b2 tcp, ...)
        processes.get(2).close();
        assertTrue(BackgroundProcess.await(10, () -> wharf.ok("lb", "ls").contains("down (connection refused)")), wharf.ok("lb", "ls"));
        final Map<String, Integer> without = connect(client, VIP, 80, 30, 10);
        assertEquals(Map.of("b1", 15, "b3", 15), without, "requests keep succeeding, none to the dead backend");

        processes.set(2, NetPeer.server(backendNamespaces.get(1), "tcp-server", 8080, "b2"));
        assertTrue(BackgroundProcess.await(10, () -> !wharf.ok("lb", "ls").contains("down")), wharf.ok("lb", "ls"));
        assertEquals(3, connect(client, VIP, 80, 30, 10).size(), "back after rise");
        assertTrue(wharf.log().contains("is down (connection refused)") && wharf.log().contains("is up (ok)"), wharf.log());
    }

    @Test
    void theHostReachesContainersAndVipsThroughHostAccess() throws Exception
    {
        start();
        webService("rr");
        final Host.Result direct = Host.run(30, NetPeer.onHost("tcp-client", BACKENDS[0], "8080").toArray(new String[0]));
        direct.assertOk("the host to a container");
        assertTrue(direct.stdout().contains("who=b1 peer=169.254.42.2:"), "from the host's host-access address: " + direct.stdout());
        final Map<String, Integer> hits = new TreeMap<>();
        for (int i = 0; i < 3; i++)
        {
            final Host.Result viaVip = Host.run(30, NetPeer.onHost("tcp-client", VIP, "80").toArray(new String[0]));
            viaVip.assertOk("the host to the VIP");
            final Matcher m = NetPeer.ANSWER.matcher(viaVip.stdout());
            assertTrue(m.find(), viaVip.stdout());
            hits.merge(m.group(1), 1, Integer::sum);
        }
        assertEquals(Map.of("b1", 1, "b2", 1, "b3", 1), hits, "the host is one more client of the VIP");
    }

    /**
     * Direct server return: each backend holds the VIP on its loopback (and neither answers nor announces
     * ARP for it, as IPVS DR asks), the switch sends the client's packets unchanged to the chosen
     * backend's MAC, and the backend's replies go straight to the client across the bridge: the client
     * sees them come from the VIP with the backend's MAC, not the gateway's, and the backend sees the
     * client's own address.
     */
    @Test
    void directServerReturnRepliesGoStraightFromTheBackendToTheClient() throws Exception
    {
        start();
        final String service = VIP + ":8080/tcp";
        final List<String> backendMacs = new ArrayList<>();
        for (int b = 1; b <= BACKENDS.length; b++)
        {
            final String ns = backendNamespaces.get(b - 1);
            topology.sh(10, ns, "ip addr add " + VIP + "/32 dev lo && sysctl -qw net.ipv4.conf.all.arp_ignore=1 " +
                "net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2").assertOk("VIP on lo");
            backendMacs.add(topology.mac(ns, "eth0"));
        }
        wharf.ok("lb", "add", service, "--mode", "dsr");
        for (final String backend : BACKENDS)
        {
            wharf.ok("lb", "backend", "add", service, backend + ":8080");
        }
        refused("listens on the service's port 8080", "lb", "backend", "add", service, "10.10.0.14:9090");

        try (PacketCapture capture = PacketCapture.start(client, "eth0", "tcp port 8080"))
        {
            final Host.Result result = NetPeer.client(client, "tcp-parallel", VIP, "8080", "30");
            result.assertOk("connections to the DSR VIP");
            assertTrue(result.stdout().startsWith("ok=30\n"), result.stdout() + "\n" + wharf.log());
            final Map<String, Integer> hits = new TreeMap<>();
            final Matcher m = NetPeer.ANSWER.matcher(result.stdout());
            while (m.find())
            {
                hits.merge(m.group(1), 1, Integer::sum);
                assertEquals("10.10.0.2", m.group(2), "the backend sees the client itself (no translation)");
            }
            assertEquals(Map.of("b1", 10, "b2", 10, "b3", 10), hits, "rr over the DSR backends");
            capture.stop();
            final List<String> synAcks = capture.fields("ip.src == " + VIP + " && tcp.flags.syn == 1 && tcp.flags.ack == 1", "eth.src");
            assertEquals(30, synAcks.size(), capture.summary());
            assertTrue(backendMacs.containsAll(synAcks), "the SYN-ACKs came from the backends' MACs " + backendMacs + ", not the gateway's: " +
                synAcks);
        }
    }

    @Test
    void badInputIsRefusedWithAReasonAndChangesNothing() throws Exception
    {
        start();
        webService("rr");
        wharf.ok("lb", "add", DNS);
        final String before = wharf.ok("lb", "ls", "--json");
        refused("no virtual service", "lb", "backend", "add", VIP + ":81/tcp", "10.10.0.11");
        refused("is on 10.10.0.100:80/tcp already", "lb", "backend", "add", WEB, "10.10.0.11:8080");
        refused("weight must be 0..65535", "lb", "backend", "set", WEB, "10.10.0.11:8080", "--weight", "70000");
        refused("exists", "lb", "add", WEB);
        refused("unknown scheduler", "lb", "add", VIP + ":443/tcp", "--scheduler", "fastest");
        refused("the gateway of network \"front\"", "lb", "add", "10.10.0.1:80/tcp");
        refused("the address of port", "lb", "add", "10.10.0.11:80/tcp");
        refused("the uplink's address", "lb", "add", UPLINK_IP + ":80/tcp");
        refused("mode must be nat or dsr", "lb", "add", VIP + ":443/tcp", "--mode", "tunnel");
        refused("tcp or udp", "lb", "add", VIP + ":443/icmp");
        refused("invalid virtual service", "lb", "add", "10.10.0.100");
        refused("invalid drain time", "lb", "backend", "rm", WEB, "10.10.0.11:8080", "--drain", "soon");
        refused("no backend 10.10.0.19:8080", "lb", "backend", "rm", WEB, "10.10.0.19:8080");
        refused("is a UDP service", "lb", "health", DNS, "--tcp-connect");
        refused("invalid HTTP path", "lb", "health", WEB, "--http", "GET:no-slash");
        refused("interval must be", "lb", "health", WEB, "--tcp-connect", "--interval", "10ms");
        assertEquals(before, wharf.ok("lb", "ls", "--json"), "nothing changed");
    }

    private void refused(final String reason, final String... args)
    {
        final Host.Result result = wharf.cli(args);
        assertNotEquals(0, result.exitCode(), String.join(" ", args) + " succeeded: " + result.stdout());
        assertTrue(result.stderr().contains(reason), String.join(" ", args) + ": expected \"" + reason + "\" in: " + result.stderr());
    }
}
