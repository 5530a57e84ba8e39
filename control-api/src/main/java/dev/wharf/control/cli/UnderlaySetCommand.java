package dev.wharf.control.cli;

import dev.wharf.control.api.v1.SetUnderlayRequest;
import dev.wharf.control.api.v1.Underlay;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf underlay set --local IP [--port N] [--geneve-port N] [--dev IFNAME]}: prints the address and MTU. */
@Command(
    name = "set",
    mixinStandardHelpOptions = true,
    description = {"Make an address of this host its tunnel endpoint (VTEP): overlay networks' frames leave and arrive",
        "there in UDP datagrams (VXLAN on --port, Geneve on --geneve-port), routed by the host's kernel.",
        "The overlay MTU is derived from the MTU of the interface that holds the address."},
    footer = {"", "Example:", "  wharf underlay set --local 10.200.0.1", "  wharf underlay set --local 10.200.0.1 --port 4789 --dev ul0"})
final class UnderlaySetCommand extends ClientCommand
{
    @Option(names = "--local", required = true, paramLabel = "IP", description = "This host's underlay address; it must be on one of its interfaces.")
    String local;

    @Option(names = "--port", paramLabel = "N", description = "UDP port of VXLAN (default: 4789, IANA's).")
    int port;

    @Option(names = "--geneve-port", paramLabel = "N", description = "UDP port of Geneve (default: 6081, IANA's).")
    int genevePort;

    @Option(names = "--dev", paramLabel = "IFNAME", description = "The interface the address must be on (default: whichever holds it).")
    String device;

    @Override
    protected void run(final WharfClient client)
    {
        final SetUnderlayRequest.Builder request = SetUnderlayRequest.newBuilder().setLocal(local).setPort(port).setGenevePort(genevePort);
        if (device != null)
        {
            request.setDevice(device);
        }
        final Underlay underlay = client.overlay().setUnderlay(request.build()).getUnderlay();
        println(underlay.getLocal() + " on " + underlay.getDevice() + " (MTU " + underlay.getMtu() + ", VXLAN overlay MTU " +
            underlay.getVxlanMtu() + ")");
    }
}
