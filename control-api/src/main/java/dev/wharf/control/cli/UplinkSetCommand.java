package dev.wharf.control.cli;

import dev.wharf.control.api.v1.SetUplinkRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf uplink set IFNAME --ip CIDR --gateway IP}: prints the interface name. */
@Command(
    name = "set",
    mixinStandardHelpOptions = true,
    description = {"Attach the host's outside interface (AF_PACKET) as the uplink, with the host's address on it and the",
        "outside router. Masqueraded connections leave with that address; published ports are reached on it.",
        "The switch answers ARP and ping for it with the interface's own MAC. Give the interface no IP in the kernel.",
        "To change the address: uplink rm (connections masqueraded to the old address end with a reset), then set."},
    footer = {"", "Example:", "  wharf uplink set veth-up --ip 10.99.0.2/24 --gateway 10.99.0.1"})
final class UplinkSetCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "IFNAME", description = "The outside interface; it must exist.")
    String name;

    @Option(names = "--ip", required = true, paramLabel = "CIDR", description = "The host's outside address with its prefix, e.g. 10.99.0.2/24.")
    String ip;

    @Option(names = "--gateway", required = true, paramLabel = "IP", description = "The outside router, e.g. 10.99.0.1.")
    String gateway;

    @Override
    protected void run(final WharfClient client)
    {
        println(client.uplink().set(SetUplinkRequest.newBuilder().setInterface(name).setAddress(ip).setGateway(gateway).build())
            .getUplink().getInterface());
    }
}
