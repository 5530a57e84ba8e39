package dev.wharf.control.cli;

import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf network create NAME --subnet CIDR}: prints the new network's name. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = {"Create a network: an L2 segment with an IPv4 subnet and a gateway the switch answers for.",
        "Containers reach the outside through the uplink, masqueraded, unless --internal or --masquerade false;",
        "networks are isolated from each other until connected (wharf network connect)."},
    footer = {"", "Example:", "  wharf network create front --subnet 10.10.0.0/24",
        "  wharf network create secure --subnet 10.30.0.0/24 --internal",
        "  wharf network create pvlan --subnet 10.40.0.0/24 --icc false",
        "  wharf network create lab --subnet 10.50.0.0/24 --masquerade false",
        "  wharf network create back --subnet 10.20.0.0/24 --gateway 10.20.0.254 --mac-limit 64",
        "  wharf network create ov --driver overlay --vni 42 --subnet 10.50.0.0/24   (after wharf underlay set)"})
final class NetworkCreateCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The network's name (letters, digits, '_', '.', '-').")
    String name;

    @Option(names = "--subnet", required = true, paramLabel = "CIDR", description = "IPv4 subnet, e.g. 10.10.0.0/24.")
    String subnet;

    @Option(names = "--gateway", paramLabel = "IP", description = "Gateway address (default: the subnet's first address).")
    String gateway;

    @Option(names = "--mac-limit", paramLabel = "N", description = "Most MACs each port may learn (default: the daemon's).")
    int macLimit;

    @Option(names = "--internal", description = "No way out and no way in: no traffic to or from the uplink.")
    boolean internal;

    @Option(names = "--icc", arity = "1", paramLabel = "true|false",
        description = "Containers of the network may talk to each other (default: true); false leaves them only the gateway and the outside.")
    Boolean icc;

    @Option(names = "--masquerade", arity = "1", paramLabel = "true|false",
        description = "Connections leaving through the uplink take its address (default: true).")
    Boolean masquerade;

    @Option(names = "--driver", paramLabel = "bridge|overlay",
        description = "bridge (default): this host only; overlay: one network across hosts over the underlay (VXLAN or Geneve).")
    String driver;

    @Option(names = "--vni", paramLabel = "N", description = "overlay: the network identifier, 1 to 16777215, the same on every host.")
    int vni;

    @Option(names = "--encap", paramLabel = "vxlan|geneve", description = "overlay: the encapsulation (default: vxlan).")
    String encap;

    @Option(names = "--mtu", paramLabel = "N", description = "overlay: the MTU (default: the underlay's less the encapsulation, 1450 for VXLAN).")
    int mtu;

    @Option(names = "--mss-clamp", arity = "1", paramLabel = "true|false",
        description = "overlay: lower the MSS of TCP SYNs crossing the tunnel to fit its MTU (default: true).")
    Boolean mssClamp;

    @Option(names = "--learning", arity = "1", paramLabel = "true|false",
        description = "overlay: learn remote MACs from arriving frames (default: true); false knows only 'vtep add --mac' endpoints.")
    Boolean learning;

    @Option(names = "--host-address", paramLabel = "IP",
        description = "overlay: this host's own address on the network, different on every host; connections published or " +
            "load-balanced into the network leave from it, so that backends on other hosts answer here (Swarm's routing mesh).")
    String hostAddress;

    @Override
    protected void run(final WharfClient client)
    {
        final CreateNetworkRequest.Builder request = CreateNetworkRequest.newBuilder()
            .setName(name)
            .setSubnet(subnet)
            .setMacLimit(macLimit)
            .setInternal(internal)
            .setVni(vni)
            .setMtu(mtu);
        if (driver != null)
        {
            request.setDriver(driver);
        }
        if (encap != null)
        {
            request.setEncap(encap);
        }
        if (mssClamp != null)
        {
            request.setMssClamp(mssClamp);
        }
        if (learning != null)
        {
            request.setLearning(learning);
        }
        if (hostAddress != null)
        {
            request.setHostAddress(hostAddress);
        }
        if (icc != null)
        {
            request.setIcc(icc);
        }
        if (masquerade != null)
        {
            request.setMasquerade(masquerade);
        }
        if (gateway != null)
        {
            request.setGateway(gateway);
        }
        println(client.networks().create(request.build()).getNetwork().getName());
    }
}
