package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AttachPortRequest;
import dev.wharf.control.api.v1.PortKind;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code wharf port attach NETWORK IFNAME}: prints the attached port's name. */
@Command(
    name = "attach",
    mixinStandardHelpOptions = true,
    description = {
        "Attach an interface to a network: an existing one (a veth's host end) through AF_PACKET,",
        "or with --tap a TAP device that wharf creates. --ip and --mac are the container's addresses;",
        "--mac also installs a static forwarding entry for it on this port. The host kernel is kept",
        "out of the interface (IPv4 forwarding, ARP answers, redirects and IPv6 off on it alone);",
        "port ls notes a port where that could not be done. --name and --alias are the container's",
        "names on the network, which the DNS server on the network's gateway resolves to --ip."},
    footer = {"", "Example:",
        "  wharf port attach front veth-c1 --ip 10.10.0.2 --name web-1 --alias web",
        "  wharf port attach front veth-c2 --ip 10.10.0.3 --mac 02:42:0a:0a:00:03 --vlan 10",
        "  wharf port attach front veth-c4 --trunk 10,20",
        "  wharf port attach back tap-c3 --tap --ip 10.20.0.2"})
final class PortAttachCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The network to attach to.")
    String network;

    @Parameters(index = "1", paramLabel = "IFNAME", description = "The interface name.")
    String name;

    @Option(names = "--tap", description = "Create a TAP device called IFNAME instead of using an existing interface.")
    boolean tap;

    @Option(names = "--ip", paramLabel = "IP", description = "The container's IPv4 address in the network's subnet.")
    String ip;

    @Option(names = "--mac", paramLabel = "MAC", description = "The container's MAC, aa:bb:cc:dd:ee:ff.")
    String mac;

    @Option(names = "--vlan", paramLabel = "VID", description = "Access VLAN 1..4094, carried untagged on this port.")
    int vlan;

    @Option(names = "--trunk", split = ",", paramLabel = "VID", description = "Make the port a trunk carrying these VLANs tagged, e.g. 10,20.")
    List<Integer> trunk = List.of();

    @Option(names = "--mac-limit", paramLabel = "N", description = "Most MACs this port may learn (default: the network's).")
    int macLimit;

    @Option(names = "--name", paramLabel = "NAME", description = "The container's DNS name on this network (needs --ip).")
    String containerName;

    @Option(names = "--alias", paramLabel = "NAME", description = "Another DNS name for the container on this network; repeatable, may be shared.")
    List<String> aliases = List.of();

    @Option(names = "--port-security", description = "Let the port send only from its MAC (--mac, or the interface's) and --ip; drop ARP claiming another address.")
    boolean portSecurity;

    @Override
    protected void run(final WharfClient client)
    {
        final AttachPortRequest.Builder request = AttachPortRequest.newBuilder()
            .setNetwork(network)
            .setName(name)
            .setKind(tap ? PortKind.PORT_KIND_TAP : PortKind.PORT_KIND_AF_PACKET)
            .setVlan(vlan)
            .addAllTrunkVlans(trunk)
            .setMacLimit(macLimit)
            .setPortSecurity(portSecurity)
            .addAllAliases(aliases);
        if (containerName != null)
        {
            request.setContainerName(containerName);
        }
        if (ip != null)
        {
            request.setIp(ip);
        }
        if (mac != null)
        {
            request.setMac(mac);
        }
        final dev.wharf.control.api.v1.Port port = client.ports().attach(request.build()).getPort();
        // an address the daemon chose (a cluster network's) is printed beside the name, for scripts: read name ip
        println(ip == null && !port.getIp().isEmpty() ? port.getName() + " " + port.getIp() : port.getName());
    }
}
