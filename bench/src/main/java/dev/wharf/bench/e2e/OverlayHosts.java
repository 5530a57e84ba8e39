package dev.wharf.bench.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The two hosts every overlay scenario shares: network namespaces {@code wbe-ha} and
 * {@code wbe-hb} joined by a veth pair, the underlay ({@code wbe-ua} with
 * {@value #UNDERLAY_IP_A}/24 in A, {@code wbe-ub} with {@value #UNDERLAY_IP_B}/24 in B),
 * with c1's host end moved into A and c2's into B. What joins each host's container to its
 * tunnel endpoint (a Linux bridge with a vxlan device, a Wharf daemon) is the scenario's.
 * <p>
 * Both containers' {@code eth0} get MTU {@value #CONTAINER_MTU}: the kernel's vxlan device
 * neither clamps the MSS nor fragments, so 1500-byte frames plus 50 bytes of VXLAN over IPv4
 * would not fit the 1500-byte underlay; every overlay scenario runs at the same MTU so that they
 * are compared on equal terms. Offloads stay at their defaults.
 * <p>
 * Built by the runner's main thread in {@link Scenario#setUp}; every undo goes to the
 * {@link Cleanup}. Deleting a host namespace destroys the veths and devices inside it, so the
 * namespaces' own undo is all the links need.
 */
final class OverlayHosts
{
    static final String HOST_A = HarnessPrefix.name("ha");
    static final String HOST_B = HarnessPrefix.name("hb");
    static final String UNDERLAY_A = HarnessPrefix.name("ua");
    static final String UNDERLAY_B = HarnessPrefix.name("ub");
    static final String UNDERLAY_IP_A = "10.79.0.1";
    static final String UNDERLAY_IP_B = "10.79.0.2";
    static final String UNDERLAY_PREFIX_LENGTH = "24";
    static final int CONTAINER_MTU = 1450;
    static final int VNI = 42;
    static final int VXLAN_PORT = 4789;

    /** One host of the pair: its namespace, its underlay link and address, the container's host end, and its peer's address. */
    record Host(String namespace, String underlay, String underlayIp, String hostEnd, String containerIp, String peerIp)
    {
    }

    static final Host A = new Host(HOST_A, UNDERLAY_A, UNDERLAY_IP_A, ContainerPair.HOST_END_1, ContainerPair.IP1, UNDERLAY_IP_B);
    static final Host B = new Host(HOST_B, UNDERLAY_B, UNDERLAY_IP_B, ContainerPair.HOST_END_2, ContainerPair.IP2, UNDERLAY_IP_A);
    static final List<Host> HOSTS = List.of(A, B);

    private OverlayHosts()
    {
    }

    /** A sentence for the scenarios' descriptions. */
    static String topology()
    {
        return "hosts " + HOST_A + " and " + HOST_B + " (namespaces), underlay veth " + UNDERLAY_A + " " + UNDERLAY_IP_A + "/24 — " +
            UNDERLAY_B + " " + UNDERLAY_IP_B + "/24, containers' eth0 MTU " + CONTAINER_MTU + " (as the kernel's vxlan device needs)";
    }

    /** Creates both hosts and the underlay, moves the host ends in, and sets the containers' MTU. */
    static void create(final ContainerPair containers, final Cleanup cleanup)
    {
        for (final Host host : HOSTS)
        {
            namespace(host.namespace(), cleanup);
        }
        Shell.run(10, "ip", "link", "add", UNDERLAY_A, "type", "veth", "peer", "name", UNDERLAY_B).require("underlay veth " + UNDERLAY_A);
        cleanup.add("link " + UNDERLAY_A, () -> Shell.run(10, "ip", "link", "del", UNDERLAY_A));
        for (final Host host : HOSTS)
        {
            for (final String link : new String[] {host.underlay(), host.hostEnd()})
            {
                Shell.run(10, "ip", "link", "set", link, "netns", host.namespace()).require("move " + link + " into " + host.namespace());
            }
            for (final List<String> command : hostCommands(host))
            {
                Shell.inNamespace(10, host.namespace(), command.toArray(new String[0])).require(String.join(" ", command) + " in " + host.namespace());
            }
        }
        containers.setMtu(CONTAINER_MTU);
    }

    /** What each host runs once its links are in: the underlay address, both links up. */
    static List<List<String>> hostCommands(final Host host)
    {
        final List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("ip", "addr", "add", host.underlayIp() + "/" + UNDERLAY_PREFIX_LENGTH, "dev", host.underlay()));
        commands.add(List.of("ip", "link", "set", host.underlay(), "up"));
        commands.add(List.of("ip", "link", "set", host.hostEnd(), "up"));
        return commands;
    }

    private static void namespace(final String ns, final Cleanup cleanup)
    {
        Shell.run(10, "ip", "netns", "add", ns).require("ip netns add " + ns);
        cleanup.add("namespace " + ns, () ->
        {
            Shell.run(10, "/bin/sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9");
            Shell.run(10, "ip", "netns", "del", ns);
        });
        // IPv6 off before any link arrives: a link moved in takes the namespace's defaults
        Shell.inNamespace(10, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").require("IPv6 off in " + ns);
        Shell.inNamespace(10, ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").require("IPv6 off in " + ns);
        Shell.inNamespace(10, ns, "ip", "link", "set", "lo", "up").require("lo up in " + ns);
    }
}
