package dev.wharf.control.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * One host of an overlay in the end-to-end tests: a network namespace with an underlay interface
 * and address, and one container (its own namespace, {@code eth0} at MTU {@link #CONTAINER_MTU})
 * whose host end lives in the host's namespace. The host's switch is either a Wharf daemon running
 * inside the namespace ({@link #wharf}) or the kernel's VXLAN device in a Linux bridge
 * ({@link #kernelVxlan}). Built and used by the test's thread; the namespaces belong to the
 * {@link Topology}, the daemon to this object ({@link #close()}).
 */
final class OverlayHost implements AutoCloseable
{
    /** The underlay interface's name inside every host namespace. */
    static final String UNDERLAY_DEV = "ovul0";
    /** The container's host end inside the host namespace. */
    static final String CONTAINER_END = "ovc0";
    static final int VNI = 42;
    static final String SUBNET = "10.50.0.0/24";
    /**
     * Containers are set to 1450 by default, the overlay MTU of a 1500-byte underlay with VXLAN over IPv4
     * (what Docker's overlay gives its containers, and what a kernel VXLAN host needs); the MSS clamp that
     * lets a container at 1500 work is tested on its own (OverlayGatewayEndToEndTest). Geneve without
     * options has the same 50 bytes of encapsulation.
     */
    static final int CONTAINER_MTU = 1450;
    /** The overlay network's gateway (the subnet's first address, Wharf's default). */
    static final String GATEWAY = "10.50.0.1";

    final String namespace;
    final String underlayIp;
    final String container;
    final String containerIp;
    final String containerMac;
    /** The host's daemon, or null for a kernel host. */
    final WharfDaemonProcess wharf;

    private OverlayHost(
        final String namespace, final String underlayIp, final String container, final String containerIp, final String containerMac,
        final WharfDaemonProcess wharf)
    {
        this.namespace = namespace;
        this.underlayIp = underlayIp;
        this.container = container;
        this.containerIp = containerIp;
        this.containerMac = containerMac;
        this.wharf = wharf;
    }

    /**
     * Host {@code hostNs} (whose underlay interface {@link #UNDERLAY_DEV} holds {@code underlayIp}
     * already) running Wharf: a daemon in the namespace, the underlay set, overlay network {@code ov}
     * with VNI 42 and encapsulation {@code encap}, and container {@code name} at {@code containerIp}
     * attached to it. The returned host owns the daemon even when a later step fails.
     */
    static OverlayHost wharf(
        final Topology topology, final String hostNs, final String underlayIp, final String encap, final String name,
        final String containerIp) throws Exception
    {
        return wharf(topology, hostNs, underlayIp, encap, name, containerIp, CONTAINER_MTU);
    }

    /**
     * As {@link #wharf(Topology, String, String, String, String, String)}, with the container's eth0 at {@code containerMtu}
     * and {@code createOptions} added to the overlay network's create.
     */
    static OverlayHost wharf(
        final Topology topology, final String hostNs, final String underlayIp, final String encap, final String name,
        final String containerIp, final int containerMtu, final String... createOptions) throws Exception
    {
        final String container = topology.namespace(name);
        topology.containerOn(hostNs, container, CONTAINER_END, containerIp + "/24", containerMtu);
        final WharfDaemonProcess wharf = WharfDaemonProcess.inNamespace(hostNs);
        final OverlayHost host = new OverlayHost(hostNs, underlayIp, container, containerIp, topology.mac(container, "eth0"), wharf);
        try
        {
            wharf.start();
            wharf.ok("underlay", "set", "--local", underlayIp, "--dev", UNDERLAY_DEV);
            final List<String> create = new ArrayList<>(
                List.of("network", "create", "ov", "--driver", "overlay", "--vni", String.valueOf(VNI), "--subnet", SUBNET, "--encap", encap));
            create.addAll(List.of(createOptions));
            wharf.ok(create.toArray(new String[0]));
            wharf.ok("port", "attach", "ov", CONTAINER_END, "--ip", containerIp);
            return host;
        }
        catch (final Throwable t)
        {
            host.close();
            throw t;
        }
    }

    /**
     * Host {@code hostNs} running the kernel's overlay, as Docker's overlay driver sets it up:
     * {@code vx0} (VXLAN, VNI 42, port 4789, learning on) and container {@code name}'s host end in
     * Linux bridge {@code ovbr0}, and a flood entry (all-zero MAC) toward {@code remoteVtep} so that
     * broadcasts and unknown unicast reach it; the kernel learns the far MACs from what arrives.
     * <p>
     * Checksum offload is switched off on the underlay veth: the kernel's VXLAN device leaves the
     * inner TCP/UDP checksum for the NIC to fill (CHECKSUM_PARTIAL, "local checksum offload"), and a
     * veth never fills it, it hands the packet over as it is. A Linux receiver of the tunnel trusts
     * it; a userspace VTEP reads the datagram from a UDP socket, where the "fill me in" mark is gone,
     * and the inner frame reaches the container with a checksum that is only the pseudo-header's: TCP
     * never connects (its SYN-ACK is dropped by the container's kernel). A real NIC fills it in; with
     * offload off on the veth the kernel does it in software, as such a NIC would.
     */
    static OverlayHost kernelVxlan(
        final Topology topology, final String hostNs, final String underlayIp, final String remoteVtep, final String name,
        final String containerIp)
    {
        final String container = topology.namespace(name);
        topology.containerOn(hostNs, container, CONTAINER_END, containerIp + "/24", CONTAINER_MTU);
        topology.exec(hostNs, "ethtool", "-K", UNDERLAY_DEV, "tx", "off").assertOk("checksum offload off on the underlay veth");
        topology.exec(hostNs, "ip", "link", "add", "vx0", "type", "vxlan", "id", String.valueOf(VNI), "dstport", "4789",
            "local", underlayIp, "dev", UNDERLAY_DEV).assertOk("kernel vxlan vx0");
        topology.exec(hostNs, "bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", remoteVtep)
            .assertOk("flood entry toward " + remoteVtep);
        topology.bridge(hostNs, "ovbr0", "vx0", CONTAINER_END);
        topology.exec(hostNs, "ip", "link", "set", "vx0", "up").assertOk("vx0 up");
        return new OverlayHost(hostNs, underlayIp, container, containerIp, topology.mac(container, "eth0"), null);
    }

    /** Adds {@code others} to this Wharf host's flood list (head-end replication). */
    void floodTo(final OverlayHost... others)
    {
        for (final OverlayHost other : others)
        {
            wharf.ok("vtep", "add", "ov", other.underlayIp);
        }
    }

    /** The daemon's log (or a note that this host has none), for failure messages. */
    String log()
    {
        return wharf == null ? "(kernel host " + namespace + ")" : "daemon in " + namespace + ":\n" + wharf.log();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (wharf != null)
        {
            wharf.close();
        }
    }
}
