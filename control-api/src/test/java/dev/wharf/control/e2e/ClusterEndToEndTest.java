package dev.wharf.control.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three hosts in a cluster (issue 14): each host a namespace with its own daemon started with
 * {@code --cluster}, on an underlay switch (a Linux bridge in its own namespace) where a private etcd
 * listens. An overlay network created on one host appears on all, with one VNI; containers attached
 * without an address get distinct ones from the store; their endpoints are programmed on the other
 * hosts, so that they talk with no ARP on the underlay; two hosts racing to create a network make one;
 * a host killed with -9 is forgotten when its lease expires and comes back when restarted; and etcd
 * stopped for 10 s harms no transfer, refuses a create clearly, and the cluster converges when it returns;
 * a virtual service made on one host with backends on two is on every host, and published on the third it
 * reaches both backends (Swarm's routing mesh, through the store).
 */
class ClusterEndToEndTest
{
    private static final String ETCD_ADDRESS = "10.200.0.254";
    private static final int LEASE_TTL_SECONDS = 4;
    private static final Pattern REMOTE = Pattern.compile("\"remoteEndpoints\":\\s*(\\d+)");
    private static final Pattern STATE = Pattern.compile("\"state\":\\s*\"(\\w+)\"");
    private static final Pattern LEASE = Pattern.compile("\"lease\":\\s*\"([0-9a-f]+)\"");
    private static final Pattern VNI = Pattern.compile("\"vni\":\\s*(\\d+)");

    private Topology topology;
    private EtcdInNamespace etcd;
    private final List<WharfDaemonProcess> daemons = new ArrayList<>();
    private final List<String> hostNs = new ArrayList<>();
    private final List<String> containers = new ArrayList<>();
    private final List<String> containerIps = new ArrayList<>();
    private final List<PacketCapture> captures = new ArrayList<>();
    private final List<BackgroundProcess> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            for (final PacketCapture capture : captures)
            {
                capture.close();
            }
            for (final BackgroundProcess server : servers)
            {
                server.close();
            }
            for (final WharfDaemonProcess daemon : daemons)
            {
                daemon.close();
            }
            if (etcd != null)
            {
                etcd.close();
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

    /** The underlay switch with etcd on it, and three hosts each running a daemon in the cluster. */
    private void startCluster(final String prefix) throws Exception
    {
        Host.requireRootAnd("ip", "ping", "socat", "sha256sum", "tshark", "dumpcap", "etcd", "curl");
        topology = new Topology(prefix);
        final String underlay = topology.namespace("ul");
        final String[] legs = new String[3];
        for (int h = 0; h < 3; h++)
        {
            hostNs.add(topology.namespace("h" + h));
            legs[h] = "clleg" + h;
            topology.link(hostNs.get(h), OverlayHost.UNDERLAY_DEV, underlayIp(h) + "/24", underlay, legs[h], null);
        }
        topology.bridge(underlay, "clbr0", legs);
        topology.exec(underlay, "ip", "addr", "add", ETCD_ADDRESS + "/24", "dev", "clbr0").assertOk("etcd's address on the underlay switch");
        etcd = new EtcdInNamespace(underlay, ETCD_ADDRESS).start();
        for (int h = 0; h < 3; h++)
        {
            final WharfDaemonProcess daemon = WharfDaemonProcess.inNamespace(hostNs.get(h), "--cluster", etcd.url(), "--underlay", underlayIp(h),
                "--cluster-lease-ttl", String.valueOf(LEASE_TTL_SECONDS));
            daemons.add(daemon);
            daemon.start();
        }
    }

    private static String underlayIp(final int host)
    {
        return "10.200.0." + (host + 1);
    }

    /** Overlay network ov created on host 0 only, and one container on every host attached without an address. */
    private void createNetworkAndContainers() throws Exception
    {
        daemons.get(0).ok("network", "create", "ov", "--driver", "overlay", "--subnet", "10.50.0.0/16");
        for (int h = 0; h < 3; h++)
        {
            final WharfDaemonProcess daemon = daemons.get(h);
            assertTrue(BackgroundProcess.await(10, () -> daemon.cli("network", "ls").stdout().contains("ov")),
                "network ov reached host " + h + "\n" + logs());
        }
        for (int h = 0; h < 3; h++)
        {
            final String container = topology.namespace("c" + h);
            containers.add(container);
            Host.run(10, "ip", "link", "add", OverlayHost.CONTAINER_END, "netns", hostNs.get(h), "type", "veth", "peer", "name", "eth0",
                "netns", container).assertOk("container veth on host " + h);
            topology.exec(hostNs.get(h), "ip", "link", "set", OverlayHost.CONTAINER_END, "up").assertOk("host end up");
            final String[] attached = daemons.get(h).ok("port", "attach", "ov", OverlayHost.CONTAINER_END).strip().split(" ");
            assertEquals(2, attached.length, "port attach without --ip prints the port and the address the cluster gave it: " +
                String.join(" ", attached));
            containerIps.add(attached[1]);
            topology.exec(container, "ip", "link", "set", "eth0", "mtu", String.valueOf(OverlayHost.CONTAINER_MTU)).assertOk("mtu");
            topology.exec(container, "ip", "addr", "add", attached[1] + "/16", "dev", "eth0").assertOk("address");
            topology.exec(container, "ip", "link", "set", "eth0", "up").assertOk("eth0 up");
            // the container's first frame teaches its host its MAC, which its endpoint record then carries
            assertTrue(topology.ping(container, OverlayHost.GATEWAY, 1), "container on host " + h + " -> its own gateway\n" + logs());
        }
        assertEquals(3, new HashSet<>(containerIps).size(), "three distinct addresses from the cluster: " + containerIps);
    }

    private int remoteEndpoints(final int host)
    {
        final Matcher m = REMOTE.matcher(daemons.get(host).cli("cluster", "status", "--json").stdout());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private long lease(final int host)
    {
        final Matcher m = LEASE.matcher(daemons.get(host).cli("cluster", "status", "--json").stdout());
        return m.find() ? Long.parseUnsignedLong(m.group(1), 16) : 0;
    }

    private String state(final int host)
    {
        final Matcher m = STATE.matcher(daemons.get(host).cli("cluster", "status", "--json").stdout());
        return m.find() ? m.group(1) : "?";
    }

    private void awaitRemoteEndpoints(final int host, final int expected, final int seconds) throws InterruptedException
    {
        assertTrue(BackgroundProcess.await(seconds, () -> remoteEndpoints(host) == expected),
            "host " + host + " programs " + expected + " remote endpoint(s) within " + seconds + " s; now " + remoteEndpoints(host) + ":\n" +
                daemons.get(host).cli("cluster", "status").stdout() + logs());
    }

    private String logs()
    {
        final StringBuilder sb = new StringBuilder();
        for (int h = 0; h < daemons.size(); h++)
        {
            sb.append("\n--- daemon on host ").append(h).append(":\n").append(daemons.get(h).log());
        }
        return sb.toString();
    }

    @Test
    void aNetworkCreatedOnOneHostReachesAllAndTheirContainersTalkWithNoArpOnTheUnderlay() throws Exception
    {
        startCluster("clmh");
        createNetworkAndContainers();
        final Set<String> vnis = new HashSet<>();
        for (int h = 0; h < 3; h++)
        {
            final Matcher m = VNI.matcher(daemons.get(h).ok("vtep", "ls", "ov", "--json"));
            assertTrue(m.find(), "vtep ls shows the VNI on host " + h);
            vnis.add(m.group(1));
        }
        assertEquals(Set.of("4096"), vnis, "one VNI, the first the cluster chooses, on every host");
        for (int h = 0; h < 3; h++)
        {
            awaitRemoteEndpoints(h, 2, 10);
        }
        final String hosts = daemons.get(1).ok("cluster", "hosts");
        for (int h = 0; h < 3; h++)
        {
            assertTrue(hosts.contains(underlayIp(h)), "cluster hosts lists host " + h + ":\n" + hosts);
        }

        final PacketCapture underlay = PacketCapture.start(hostNs.get(0), OverlayHost.UNDERLAY_DEV, "udp port 4789");
        captures.add(underlay);
        for (int from = 0; from < 3; from++)
        {
            for (int to = 0; to < 3; to++)
            {
                if (from != to)
                {
                    assertTrue(topology.ping(containers.get(from), containerIps.get(to), 2), "container " + from + " -> " + to + "\n" + logs());
                }
            }
        }
        Transfers.tcpTransferWithChecksum(topology, containers.get(0), containers.get(2), containerIps.get(2), 5101, 20);
        underlay.stop();
        assertTrue(underlay.count("vxlan && icmp") >= 8, "the pings of host 0's container crossed the underlay in VXLAN:\n" + underlay.summary());
        assertEquals(0, underlay.count("vxlan && arp"), "no ARP inside the tunnels: every endpoint's address is answered locally:\n" +
            underlay.summary());
    }

    @Test
    void twoHostsRacingToCreateTheSameNetworkMakeOneWithOneVniEveryTime() throws Exception
    {
        startCluster("clrc");
        final Set<String> vnis = new HashSet<>();
        for (int round = 0; round < 20; round++)
        {
            final String name = "race" + round;
            final String subnet = "10.100." + round + ".0/24";
            final Process first = new ProcessBuilder(daemons.get(0).cliCommand("network", "create", name, "--driver", "overlay", "--subnet", subnet))
                .redirectErrorStream(true).start();
            final Process second = new ProcessBuilder(daemons.get(1).cliCommand("network", "create", name, "--driver", "overlay", "--subnet", subnet))
                .redirectErrorStream(true).start();
            assertTrue(first.waitFor(60, TimeUnit.SECONDS) && second.waitFor(60, TimeUnit.SECONDS), "both creates end");
            final String out = new String(first.getInputStream().readAllBytes()) + new String(second.getInputStream().readAllBytes());
            assertTrue(first.exitValue() == 0 || second.exitValue() == 0, "one create at least succeeds: " + out);
            for (final Process p : List.of(first, second))
            {
                assertTrue(p.exitValue() == 0 || out.contains("already exists"), "the other succeeds or says the network exists: " + out);
            }
            final Set<String> seen = new HashSet<>();
            for (int h = 0; h < 3; h++)
            {
                final WharfDaemonProcess daemon = daemons.get(h);
                assertTrue(BackgroundProcess.await(10, () -> daemon.cli("vtep", "ls", name, "--json").exitCode() == 0),
                    name + " reached host " + h + "\n" + logs());
                final Matcher m = VNI.matcher(daemon.ok("vtep", "ls", name, "--json"));
                assertTrue(m.find());
                seen.add(m.group(1));
                assertEquals(1, daemon.ok("network", "ls").lines().filter(l -> l.startsWith(name + " ")).count(), "one " + name + " on host " + h);
            }
            assertEquals(1, seen.size(), name + " has one VNI on every host: " + seen);
            assertTrue(vnis.add(seen.iterator().next()), "a VNI is one network's: " + seen + " again, after " + vnis);
        }
    }

    @Test
    void aHostKilledWithMinusNineIsForgottenAfterItsLeaseAndComesBackWhenRestarted() throws Exception
    {
        startCluster("clkl");
        createNetworkAndContainers();
        awaitRemoteEndpoints(0, 2, 10);
        daemons.get(2).kill9();
        awaitRemoteEndpoints(0, 1, LEASE_TTL_SECONDS + 8);
        assertFalse(daemons.get(0).ok("vtep", "ls", "ov").contains(underlayIp(2)), "host 2's VTEP left host 0's flood list");
        assertFalse(daemons.get(0).ok("cluster", "hosts").contains(underlayIp(2)), "host 2 left the cluster's hosts");

        daemons.get(2).start(); // the same state directory: its port and address come back with it
        awaitRemoteEndpoints(2, 2, 15);
        // host 2 is in host 0's flood list again at once; its container's MAC, which a restarted daemon has not
        // learned yet, follows from the container's first frame
        assertTrue(topology.ping(containers.get(0), containerIps.get(2), 2), "host 0's container reaches host 2's again\n" + logs());
        awaitRemoteEndpoints(0, 2, 15);
    }

    @Test
    void aHostWhoseLeaseIsLostRegistersAgainAndItsEndpointReturnsOnEveryHost() throws Exception
    {
        startCluster("clrv");
        createNetworkAndContainers();
        awaitRemoteEndpoints(1, 2, 10);
        awaitRemoteEndpoints(2, 2, 10);
        final long lost = lease(0);
        assertNotEquals(0, lost, "host 0 holds a lease");
        etcd.revokeLease(lost); // as when the store was away longer than the TTL: host 0's records are gone from it
        assertTrue(BackgroundProcess.await(10, () -> lease(0) != 0 && lease(0) != lost),
            "host 0 registers again under a new lease\n" + daemons.get(0).cli("cluster", "status").stdout() + logs());
        for (final int h : new int[] {1, 2})
        {
            awaitRemoteEndpoints(h, 2, 10);
            assertTrue(daemons.get(h).ok("cluster", "hosts").contains(underlayIp(0)), "host 0 is among host " + h + "'s hosts again");
        }
        assertTrue(daemons.get(0).ok("cluster", "status").contains("the lease of this host expired"), "cluster status says what happened");
        assertTrue(topology.ping(containers.get(1), containerIps.get(0), 2), "host 1's container reaches host 0's again\n" + logs());
    }

    @Test
    void etcdStoppedForTenSecondsHarmsNoTransferRefusesACreateClearlyAndTheClusterConvergesAfter() throws Exception
    {
        startCluster("clst");
        createNetworkAndContainers();
        for (int h = 0; h < 3; h++)
        {
            awaitRemoteEndpoints(h, 2, 10);
        }
        final Path dir = Files.createTempDirectory("wharf-cluster-xfer");
        try
        {
            final Path payload = dir.resolve("payload");
            final Path received = dir.resolve("received");
            Host.sh(30, "head -c 14336000 /dev/urandom > " + payload).assertOk("payload");
            final String expected = Host.run(30, "sha256sum", payload.toString()).assertOk("sha256").stdout().split(" ")[0];
            final Process server = new ProcessBuilder("ip", "netns", "exec", containers.get(1), "/bin/sh", "-c",
                "socat -u TCP-LISTEN:5102,reuseaddr STDOUT | sha256sum > " + received).redirectErrorStream(true).start();
            try
            {
                assertTrue(BackgroundProcess.await(10, () -> topology.exec(containers.get(1), "ss", "-Hltn", "sport = :5102").stdout()
                    .contains(":5102")), "receiver listens");
                // 140 chunks of 100 kB, 0.1 s apart: a transfer of about 15 s that spans the store's absence
                final Process client = new ProcessBuilder("ip", "netns", "exec", containers.get(0), "/bin/sh", "-c",
                    "for i in $(seq 0 139); do dd if=" + payload + " bs=102400 skip=$i count=1 2>/dev/null; sleep 0.1; done | " +
                        "socat -u STDIN TCP:" + containerIps.get(1) + ":5102").redirectErrorStream(true).start();
                try
                {
                    Thread.sleep(2_000);
                    etcd.stop();
                    final long stopped = System.nanoTime();
                    final Host.Result refused = daemons.get(0).cli("network", "create", "late", "--driver", "overlay", "--subnet", "10.51.0.0/24");
                    assertNotEquals(0, refused.exitCode(), "a create that needs the store is refused while it is gone");
                    assertTrue(refused.stderr().contains("cluster store"), "the refusal names the cluster store: " + refused.stderr());
                    daemons.get(0).ok("network", "create", "local", "--subnet", "10.52.0.0/24"); // a bridge network is this host's only
                    assertTrue(BackgroundProcess.await(10, () -> state(0).equals("unreachable")), "cluster status says the store is unreachable");
                    final long remaining = 10_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
                    if (remaining > 0)
                    {
                        Thread.sleep(remaining);
                    }
                    assertEquals(2, remoteEndpoints(0), "forwarding state stays while the store is away");
                    etcd.start();
                    assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the sender finished");
                    assertEquals(0, client.exitValue(), "the sender succeeded: " + new String(client.getInputStream().readAllBytes()));
                }
                finally
                {
                    client.descendants().forEach(ProcessHandle::destroyForcibly);
                    client.destroyForcibly();
                }
                assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the receiver finished");
                assertEquals(expected, Files.readString(received).split(" ")[0].strip(), "14 MB arrived unaltered across the store's absence");
            }
            finally
            {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
            }
        }
        finally
        {
            Host.run(10, "rm", "-rf", dir.toString());
        }
        for (int h = 0; h < 3; h++)
        {
            final int host = h;
            assertTrue(BackgroundProcess.await(15, () -> state(host).equals("connected")), "host " + h + " reconnected\n" + logs());
        }
        daemons.get(1).ok("network", "create", "after", "--driver", "overlay", "--subnet", "10.53.0.0/24");
        for (final int h : new int[] {0, 2})
        {
            final WharfDaemonProcess daemon = daemons.get(h);
            assertTrue(BackgroundProcess.await(5, () -> daemon.cli("network", "ls").stdout().contains("after")),
                "a network created on host 1 after the store returned reached host " + h + "\n" + logs());
        }
        final String hosts = daemons.get(0).ok("cluster", "hosts");
        assertEquals(3, hosts.lines().filter(l -> l.contains("10.200.0.")).count(), "three hosts:\n" + hosts);
        assertTrue(daemons.get(0).ok("network", "ls").lines().anyMatch(l -> l.startsWith("local ")), "the bridge network stayed");
        assertFalse(daemons.get(1).ok("network", "ls").contains("local"), "a bridge network is not the cluster's");
    }

    @Test
    void aServiceWithBackendsOnTwoHostsPublishedOnTheThirdReachesBothThroughIt() throws Exception
    {
        final String vip = "10.50.0.100";
        final String service = vip + ":80/tcp";
        startCluster("clsv");
        createNetworkAndContainers();
        servers.add(NetPeer.server(containers.get(1), "tcp-server", 8080, "c1"));
        servers.add(NetPeer.server(containers.get(2), "tcp-server", 8080, "c2"));
        daemons.get(1).ok("lb", "add", service, "--scheduler", "rr");
        daemons.get(2).ok("lb", "backend", "add", service, containerIps.get(1) + ":8080");
        daemons.get(2).ok("lb", "backend", "add", service, containerIps.get(2) + ":8080");
        for (int h = 0; h < 3; h++)
        {
            final WharfDaemonProcess daemon = daemons.get(h);
            assertTrue(BackgroundProcess.await(5, () ->
            {
                final String services = daemon.cli("lb", "ls").stdout();
                return services.contains(containerIps.get(1) + ":8080") && services.contains(containerIps.get(2) + ":8080");
            }), "the service, made on host 1 with backends added on host 2, is on host " + h + "\n" + daemon.cli("lb", "ls").stdout() + logs());
            // every host with the service has an address of its own on ov, which the others program: 2 containers + 2 hosts
            awaitRemoteEndpoints(h, 4, 10);
        }
        final Matcher own = Pattern.compile("this host (10\\.50\\.[0-9.]+) ").matcher(daemons.get(0).ok("vtep", "ls", "ov"));
        assertTrue(own.find(), "host 0 has its own address on ov: " + daemons.get(0).ok("vtep", "ls", "ov"));
        final String hostAddress = own.group(1);
        assertFalse(containerIps.contains(hostAddress) || hostAddress.equals(vip), "an address of its own: " + hostAddress);

        final String refusedVip = refused(0, "held in the cluster by port", "lb", "add", containerIps.get(2) + ":80/tcp");
        assertTrue(refusedVip.contains("on host"), "names the host: " + refusedVip);
        refused(1, "exists", "lb", "add", service);

        final String outside = topology.namespace("out");
        topology.link(hostNs.get(0), "clup0", null, outside, "eth0", "10.99.1.1/24");
        daemons.get(0).ok("uplink", "set", "clup0", "--ip", "10.99.1.2/24", "--gateway", "10.99.1.1");
        daemons.get(0).ok("publish", "add", "ov", vip + ":80", "-p", "10.99.1.2:8080/tcp");
        assertEquals(Map.of("c1", 4, "c2", 4), answers(outside, 8, hostAddress), "rr over the backends on hosts 1 and 2");
        for (int h = 0; h < 3; h++)
        {
            assertFalse(daemons.get(h).ok("lb", "ls").contains(containerIps.get(2) + ":80/tcp"), "the refused service is on no host");
        }

        // a weight changed on host 0 reaches the others; host 0 restarted keeps the service and its address
        daemons.get(0).ok("lb", "backend", "set", service, containerIps.get(2) + ":8080", "--weight", "0");
        assertTrue(BackgroundProcess.await(5, () -> daemons.get(1).cli("lb", "ls", "--json").stdout().replaceAll("\\s", "")
            .contains("\"weight\":0")), "the quiesced backend reached host 1\n" + daemons.get(1).cli("lb", "ls").stdout());
        daemons.get(0).kill9();
        daemons.get(0).start();
        assertTrue(BackgroundProcess.await(10, () -> state(0).equals("connected")), "host 0 back in the cluster\n" + logs());
        assertTrue(daemons.get(0).ok("vtep", "ls", "ov").contains("this host " + hostAddress + " "), "the same own address after a restart");
        assertEquals(Map.of("c1", 4), answers(outside, 4, hostAddress), "only the backend of weight 1 gets new connections");

        etcd.stop();
        assertTrue(BackgroundProcess.await(10, () -> state(2).equals("unreachable")), "host 2 sees the store gone");
        refused(2, "cluster store", "lb", "backend", "rm", service, containerIps.get(1) + ":8080");
        assertEquals(Map.of("c1", 2), answers(outside, 2, hostAddress), "the service goes on while the store is away");
        etcd.start();
        assertTrue(BackgroundProcess.await(15, () -> state(2).equals("connected")), "host 2 reconnected\n" + logs());
        daemons.get(2).ok("lb", "rm", service);
        for (int h = 0; h < 3; h++)
        {
            final WharfDaemonProcess daemon = daemons.get(h);
            assertTrue(BackgroundProcess.await(5, () -> !daemon.cli("lb", "ls").stdout().contains(vip)), "the service left host " + h);
        }
    }

    /** {@code count} requests from {@code outside} through host 0's published port: who answered, each having seen host 0's address. */
    private Map<String, Integer> answers(final String outside, final int count, final String hostAddress)
    {
        final Map<String, Integer> answers = new TreeMap<>();
        for (int r = 0; r < count; r++)
        {
            final Matcher answer = NetPeer.tcp(outside, "10.99.1.2", 8080, logs());
            answers.merge(answer.group(1), 1, Integer::sum);
            assertEquals(hostAddress, answer.group(2), answer.group(1) + " saw host 0's own address, and answered it through the tunnel");
        }
        return answers;
    }

    /** Runs a command on host {@code host} that must be refused with {@code reason}; returns its message. */
    private String refused(final int host, final String reason, final String... args)
    {
        final Host.Result result = daemons.get(host).cli(args);
        assertNotEquals(0, result.exitCode(), String.join(" ", args) + " succeeded: " + result.stdout());
        assertTrue(result.stderr().contains(reason), String.join(" ", args) + ": expected \"" + reason + "\" in: " + result.stderr());
        return result.stderr();
    }
}
