package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ShowUnderlayRequest;
import dev.wharf.control.api.v1.ShowUnderlayResponse;
import dev.wharf.control.api.v1.Underlay;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code wharf underlay show}: the underlay's settings and state, or that there is none. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Show the underlay: address, UDP ports, interface and MTU, I/O transport and state.",
    footer = {"", "Example:", "  wharf underlay show", "  wharf underlay show --json | jq -r .underlay.state"})
final class UnderlayShowCommand extends ClientCommand
{
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ShowUnderlayResponse response = client.overlay().showUnderlay(ShowUnderlayRequest.getDefaultInstance());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        if (!response.getConfigured())
        {
            println("no underlay (set one with 'wharf underlay set --local IP')");
            return;
        }
        final Underlay underlay = response.getUnderlay();
        final PrintWriter out = out();
        out.println("Local:        " + underlay.getLocal());
        out.println("Ports:        VXLAN " + underlay.getPort() + ", Geneve " + underlay.getGenevePort());
        if (underlay.getState().equals("up"))
        {
            out.println("Device:       " + underlay.getDevice() + " (MTU " + underlay.getMtu() + ", VXLAN overlay MTU " + underlay.getVxlanMtu() + ")");
            out.println("Transport:    " + underlay.getTransport());
        }
        out.println("State:        " + underlay.getState() + (underlay.getStateReason().isEmpty() ? "" : " (" + underlay.getStateReason() + ")"));
        out.flush();
    }
}
