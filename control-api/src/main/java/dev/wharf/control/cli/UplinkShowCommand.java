package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ShowUplinkRequest;
import dev.wharf.control.api.v1.ShowUplinkResponse;
import dev.wharf.control.api.v1.Uplink;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code wharf uplink show}: the uplink's settings and state, or that there is none. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Show the uplink: interface, address, router (with its MAC once learned) and state.",
    footer = {"", "Example:", "  wharf uplink show", "  wharf uplink show --json | jq -r .uplink.state"})
final class UplinkShowCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ShowUplinkResponse response = client.uplink().show(ShowUplinkRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        if (!response.getConfigured())
        {
            println("no uplink (set one with 'wharf uplink set IFNAME --ip CIDR --gateway IP')");
            return;
        }
        final Uplink uplink = response.getUplink();
        final PrintWriter out = out();
        out.println("Interface:    " + uplink.getInterface());
        out.println("Address:      " + uplink.getAddress() + (uplink.getMac().isEmpty() ? "" : " (" + uplink.getMac() + ")"));
        out.println("Gateway:      " + uplink.getGateway() + " (" + (uplink.getGatewayMac().isEmpty() ? "not resolved yet" : uplink.getGatewayMac()) + ")");
        out.println("Neighbours:   " + uplink.getNeighbours());
        out.println("State:        " + uplink.getState() + (uplink.getStateReason().isEmpty() ? "" : " (" + uplink.getStateReason() + ")"));
        out.flush();
    }
}
