package dev.wharf.control.cli;

import dev.wharf.control.api.v1.InspectNetworkRequest;
import dev.wharf.control.api.v1.InspectNetworkResponse;
import dev.wharf.control.api.v1.Network;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/** {@code wharf network inspect NAME}: the network's settings, then its ports. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show a network's settings and ports.",
    footer = {"", "Example:", "  wharf network inspect front", "  wharf network inspect front --json"})
final class NetworkInspectCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The network's name.")
    String name;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final InspectNetworkResponse response = client.networks().inspect(InspectNetworkRequest.newBuilder().setName(name).build());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        final Network network = response.getNetwork();
        final PrintWriter out = out();
        out.println("Name:         " + network.getName());
        out.println("Driver:       " + network.getDriver() + (network.getDriver().equals("overlay") ? " (wharf vtep ls " + network.getName() + ")" : ""));
        out.println("Subnet:       " + network.getSubnet());
        out.println("Gateway:      " + network.getGateway() + " (" + network.getGatewayMac() + ")");
        out.println("MAC limit:    " + (network.getMacLimit() == 0 ? "default" : Integer.toUnsignedString(network.getMacLimit())));
        out.println("Internal:     " + network.getInternal());
        out.println("ICC:          " + network.getIcc());
        out.println("Masquerade:   " + network.getMasquerade());
        out.println("Connected to: " + (network.getConnectionsCount() == 0 ? "-" : String.join(", ", network.getConnectionsList())));
        out.println("Ports:        " + network.getPortCount());
        out.println("FDB entries:  " + network.getFdbEntries());
        out.println();
        PortListCommand.table(response.getPortsList(), false).print(out);
    }
}
