package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service discovery end to end (issue 15): a host (a namespace running the daemon), containers on two networks, and
 * an upstream resolver (dnsmasq in a namespace of its own, serving test.example). Real clients ask: dig, and the
 * container's own resolver through getent with the gateway as its nameserver.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DnsEndToEndTest
{
    private static final String FRONT_GW = "10.10.0.1";
    private static final String BACK_GW = "10.20.0.1";
    private static final String UPSTREAM = "10.203.0.2";
    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");

    private Topology topology;
    private WharfDaemonProcess wharf;
    private BackgroundProcess dnsmasq;
    private final List<Path> resolvConfs = new ArrayList<>();
    private Path zoneFile;
    private String host;
    private String c1;
    private String c2;
    private String c3;

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (wharf != null)
            {
                wharf.close();
            }
            if (dnsmasq != null)
            {
                dnsmasq.close();
            }
        }
        finally
        {
            for (final Path conf : resolvConfs)
            {
                Files.deleteIfExists(conf);
                Files.deleteIfExists(conf.getParent());
            }
            if (zoneFile != null)
            {
                Files.deleteIfExists(zoneFile);
            }
            if (topology != null)
            {
                topology.close();
            }
        }
    }

    /** The host, c1 and c2 on front (10.10.0.0/24), c3 on the internal network back, the upstream behind the host. */
    private void build(final String... daemonArgs) throws Exception
    {
        Host.requireRootAnd("ip", "dig", "dnsmasq", "getent", "python3");
        topology = new Topology("dn");
        host = topology.namespace("host");
        c1 = topology.namespace("c1");
        c2 = topology.namespace("c2");
        c3 = topology.namespace("c3");
        final String up = topology.namespace("up");
        topology.containerOn(host, c1, "dnc1", "10.10.0.2/24", 1500);
        topology.containerOn(host, c2, "dnc2", "10.10.0.3/24", 1500);
        topology.containerOn(host, c3, "dnc3", "10.20.0.2/24", 1500);
        for (final String[] c : new String[][]{{c1, FRONT_GW}, {c2, FRONT_GW}, {c3, BACK_GW}})
        {
            topology.exec(c[0], "ip", "route", "add", "default", "via", c[1]).assertOk("default route");
            resolvConf(c[0], c[1]);
        }
        topology.link(host, "dnup", "10.203.0.1/30", up, "eth0", UPSTREAM + "/30");
        zoneFile = Files.createTempFile("wharf-dns-e2e", ".hosts");
        Files.writeString(zoneFile, "10.99.0.7 www.test.example\n10.99.0.8 api.test.example\n");
        // local for test.example (other names there are NXDOMAIN), 60 s TTLs
        dnsmasq = BackgroundProcess.start(List.of("ip", "netns", "exec", up, "dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
            "--addn-hosts=" + zoneFile, "--listen-address=" + UPSTREAM, "--bind-interfaces", "--local-ttl=60",
            "--local=/test.example/", "--log-queries",
            "--pid-file="));
        assertTrue(BackgroundProcess.await(10, () -> status(up, UPSTREAM, "www.test.example").equals("NOERROR")),
            "dnsmasq answers: " + dnsmasq.stderr());
        final List<String> args = new ArrayList<>(List.of("--dns-upstream", UPSTREAM));
        args.addAll(Arrays.asList(daemonArgs));
        wharf = WharfDaemonProcess.inNamespace(host, args.toArray(new String[0])).start();
        wharf.ok("network", "create", "front", "--subnet", "10.10.0.0/24");
        wharf.ok("network", "create", "back", "--subnet", "10.20.0.0/24", "--internal");
        wharf.ok("port", "attach", "front", "dnc1", "--ip", "10.10.0.2", "--name", "web-1", "--alias", "web");
        wharf.ok("port", "attach", "front", "dnc2", "--ip", "10.10.0.3", "--name", "web-2", "--alias", "web");
        wharf.ok("port", "attach", "back", "dnc3", "--ip", "10.20.0.2", "--name", "secret-db");
    }

    /** What {@code ip netns exec NS} bind-mounts over /etc/resolv.conf: the gateway as the container's nameserver. */
    private void resolvConf(final String ns, final String nameserver) throws IOException
    {
        final Path dir = Path.of("/etc/netns", ns);
        Files.createDirectories(dir);
        final Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "nameserver " + nameserver + "\noptions timeout:2 attempts:1\n");
        resolvConfs.add(conf);
    }

    private Host.Result dig(final String ns, final String server, final String... query)
    {
        final List<String> command = new ArrayList<>(List.of("dig", "@" + server, "+time=3", "+tries=1"));
        command.addAll(Arrays.asList(query));
        return topology.exec(15, ns, command.toArray(new String[0]));
    }

    private String status(final String ns, final String server, final String... query)
    {
        final Matcher m = STATUS.matcher(dig(ns, server, query).stdout());
        return m.find() ? m.group(1) : "no answer";
    }

    private List<String> addresses(final String ns, final String server, final String... query)
    {
        final List<String> args = new ArrayList<>(List.of("+short"));
        args.addAll(Arrays.asList(query));
        return dig(ns, server, args.toArray(new String[0])).stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private long counter(final String name)
    {
        final Matcher m = Pattern.compile("\"name\": \"" + Pattern.quote(name) + "\",\\s*\"value\": \"?(\\d+)").matcher(wharf.ok("dns", "stats", "--json"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void namesResolveOnTheirOwnNetworkFollowChangesAndSurviveARestart() throws Exception
    {
        build();
        assertEquals(List.of("10.10.0.2"), addresses(c2, FRONT_GW, "web-1"));
        assertEquals(List.of("10.10.0.2", "10.10.0.3"), addresses(c1, FRONT_GW, "web").stream().sorted().toList(), "a shared alias");
        assertEquals(List.of("web-2."), dig(c1, FRONT_GW, "+short", "-x", "10.10.0.3").stdout().lines().map(String::strip).toList());
        assertTrue(topology.exec(10, c1, "getent", "hosts", "web-2").stdout().contains("10.10.0.3"),
            "the container's own resolver (glibc) finds its neighbour");
        assertEquals("NXDOMAIN", status(c1, FRONT_GW, "secret-db"), "a name of a network c1 is not on");
        assertEquals(List.of("10.20.0.2"), addresses(c3, BACK_GW, "secret-db"));
        assertEquals("NOERROR", status(c1, FRONT_GW, "AAAA", "web-1"), "the name exists, without IPv6");

        // services: a VIP, and a round-robin name over the backends with weight
        wharf.ok("lb", "add", "10.10.0.100:80/tcp", "--name", "api");
        wharf.ok("lb", "add", "10.10.0.101:80/tcp", "--name", "pool", "--dns-mode", "rr");
        wharf.ok("lb", "backend", "add", "10.10.0.101:80/tcp", "10.10.0.2");
        wharf.ok("lb", "backend", "add", "10.10.0.101:80/tcp", "10.10.0.3");
        assertEquals(List.of("10.10.0.100"), addresses(c1, FRONT_GW, "api"));
        final List<String> first = addresses(c1, FRONT_GW, "pool");
        final List<String> second = addresses(c1, FRONT_GW, "pool");
        assertEquals(List.of("10.10.0.2", "10.10.0.3"), first.stream().sorted().toList());
        assertTrue(!first.get(0).equals(second.get(0)), "the first address rotates: " + first + " then " + second);
        wharf.ok("lb", "backend", "set", "10.10.0.101:80/tcp", "10.10.0.3", "--weight", "0");
        assertEquals(List.of("10.10.0.2"), addresses(c1, FRONT_GW, "pool"), "a quiesced backend gets no new clients by name either");
        assertTrue(wharf.ok("dns", "ls", "front").contains("pool"), wharf.ok("dns", "ls", "front"));

        // only healthy backends: a TCP check on port 80, where only c1 listens
        wharf.ok("lb", "backend", "set", "10.10.0.101:80/tcp", "10.10.0.3", "--weight", "1");
        try (BackgroundProcess server = BackgroundProcess.start(List.of("ip", "netns", "exec", c1,
            "/usr/bin/python3", "-m", "http.server", "80", "--bind", "10.10.0.2")))
        {
            wharf.ok("lb", "health", "10.10.0.101:80/tcp", "--tcp-connect", "--interval", "200ms", "--timeout", "100ms", "--fall", "1", "--rise", "1");
            assertTrue(BackgroundProcess.await(20, () -> addresses(c1, FRONT_GW, "pool").equals(List.of("10.10.0.2"))),
                "c2 fails its check and leaves the answer: " + addresses(c1, FRONT_GW, "pool") + "\n" + wharf.ok("lb", "ls"));
        }
        assertTrue(BackgroundProcess.await(20, () -> addresses(c1, FRONT_GW, "pool").isEmpty()),
            "no healthy backend: the name has no address: " + addresses(c1, FRONT_GW, "pool"));
        assertEquals("NOERROR", status(c1, FRONT_GW, "pool"), "but it still exists");
        wharf.ok("lb", "health", "10.10.0.101:80/tcp", "--none");
        wharf.ok("lb", "backend", "set", "10.10.0.101:80/tcp", "10.10.0.3", "--weight", "0");

        // over TCP: asked so, and as dig's retry of an answer truncated at 512 bytes (32 addresses do not fit)
        assertEquals(List.of("10.10.0.2"), addresses(c1, FRONT_GW, "+tcp", "web-1"));
        wharf.ok("lb", "add", "10.10.0.110:80/tcp", "--name", "big", "--dns-mode", "rr");
        for (int n = 0; n < 32; n++)
        {
            wharf.ok("lb", "backend", "add", "10.10.0.110:80/tcp", "10.10.0." + (140 + n));
        }
        final Host.Result big = dig(c1, FRONT_GW, "+noedns", "big");
        assertTrue(big.stdout().contains("Truncated, retrying in TCP mode"), big.stdout());
        assertTrue(big.stdout().contains("ANSWER: 32,"), "the whole answer over TCP: " + big.stdout());
        assertTrue(counter("tcp-connections") >= 2, wharf.ok("dns", "stats"));

        // forwarding: the upstream's zone from front, cached; never from the internal network
        assertEquals(List.of("10.99.0.7"), addresses(c1, FRONT_GW, "www.test.example"));
        final long hits = counter("cache-hits");
        assertEquals(List.of("10.99.0.7"), addresses(c2, FRONT_GW, "www.test.example"));
        assertEquals(hits + 1, counter("cache-hits"), "the second asker is answered from the cache");
        assertEquals("NXDOMAIN", status(c1, FRONT_GW, "nothere.test.example"), "the upstream's NXDOMAIN comes through");
        assertEquals("REFUSED", status(c3, BACK_GW, "www.test.example"), "an internal network's queries are not forwarded");

        // names follow the state: detach c2, and its name is gone; attach it again with another name
        wharf.ok("port", "detach", "front", "dnc2");
        assertEquals(List.of(), addresses(c1, FRONT_GW, "web-2"));
        assertEquals(List.of("10.10.0.2"), addresses(c1, FRONT_GW, "web"), "the alias keeps its other holder");
        wharf.ok("port", "attach", "front", "dnc2", "--ip", "10.10.0.3", "--name", "web-two");
        assertEquals(List.of("10.10.0.3"), addresses(c1, FRONT_GW, "web-two"));

        // bad input is refused, and changes nothing
        assertEquals(1, wharf.cli("port", "attach", "front", "dnc9", "--ip", "10.10.0.9", "--name", "web_1").exitCode(), "not a DNS name");
        assertEquals(3, wharf.cli("port", "attach", "front", "dnc9", "--ip", "10.10.0.9", "--name", "WEB-1").exitCode(), "names are case-blind");
        assertEquals(1, wharf.cli("port", "attach", "front", "dnc9", "--name", "lonely").exitCode(), "a name needs an address");
        assertEquals(1, wharf.cli("lb", "add", "10.10.0.102:80/tcp", "--dns-mode", "rr").exitCode(), "rr needs a name");

        wharf.close();
        wharf.start();
        assertEquals(List.of("10.10.0.2"), addresses(c2, FRONT_GW, "web-1"), "names survive a restart");
        assertEquals(List.of("10.10.0.2"), addresses(c1, FRONT_GW, "pool"));
    }

    @Test
    void malformedQueriesAndAFloodAreCountedWhileOthersAreStillAnswered() throws Exception
    {
        build("--dns-rate-limit", "200", "--metrics", "127.0.0.1:9479");
        final String script = script();
        topology.exec(60, c2, "/usr/bin/python3", script, "fuzz", FRONT_GW, "500").assertOk("fuzz");
        topology.exec(60, c2, "/usr/bin/python3", script, "flood", FRONT_GW, "5000").assertOk("flood");

        assertEquals(List.of("10.10.0.3"), addresses(c1, FRONT_GW, "web-2"), "c1 is answered through c2's flood");
        assertTrue(topology.ping(c1, "10.10.0.3", 2), "and forwarding goes on");
        assertTrue(counter("formerr") > 0, wharf.ok("dns", "stats"));
        assertTrue(counter("malformed-dropped") > 0, wharf.ok("dns", "stats"));
        assertTrue(counter("rate-limited") > 1000, "c2's flood beyond 200/s (bursts of 400) is refused: " + wharf.ok("dns", "stats"));
        assertTrue(wharf.isAlive());
        final String metrics = topology.exec(10, host, "/usr/bin/python3", "-c",
            "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9479/metrics').read().decode())").stdout();
        final Matcher limited = Pattern.compile("wharf_dns_events_total\\{event=\"rate-limited\",?\\} ([0-9.E]+)").matcher(metrics);
        assertTrue(limited.find(), "Prometheus has the DNS counters: " + metrics.lines().filter(l -> l.contains("dns")).toList());
        assertTrue(Double.parseDouble(limited.group(1)) > 1000, limited.group());
    }

    @Test
    void anUpstreamThatDoesNotAnswerGivesServfailPromptly() throws Exception
    {
        build();
        dnsmasq.close();
        dnsmasq = null;
        final long start = System.nanoTime();
        assertEquals("SERVFAIL", status(c1, FRONT_GW, "www2.test.example"));
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs < 3_000, "within the forwarder's 2 s deadline, before dig's own 3 s timeout: " + elapsedMs + " ms");
        assertEquals(List.of("10.10.0.2"), addresses(c1, FRONT_GW, "web-1"), "local names do not need the upstream");
    }

    private static String script() throws URISyntaxException
    {
        return Path.of(DnsEndToEndTest.class.getResource("/e2e/dns_abuse.py").toURI()).toString();
    }
}
