package dev.wharf.control.cli;

import dev.wharf.control.api.v1.RemoveVtepRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf vtep rm NETWORK VTEP [--mac MAC]}. */
@Command(
    name = "rm",
    aliases = "remove",
    mixinStandardHelpOptions = true,
    description = "Remove a VTEP with every endpoint behind it, or with --mac one endpoint (the VTEP stays in the flood list).",
    footer = {"", "Example:", "  wharf vtep rm ov 10.200.0.2", "  wharf vtep rm ov 10.200.0.2 --mac 02:42:0a:32:00:03"})
final class VtepRemoveCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The overlay network.")
    String network;

    @Parameters(index = "1", paramLabel = "VTEP", description = "The remote host's underlay address.")
    String vtep;

    @Option(names = "--mac", paramLabel = "MAC", description = "Remove only this endpoint.")
    String mac;

    @Override
    protected void run(final WharfClient client)
    {
        final RemoveVtepRequest.Builder request = RemoveVtepRequest.newBuilder().setNetwork(network).setVtep(vtep);
        if (mac != null)
        {
            request.setMac(mac);
        }
        client.overlay().removeVtep(request.build());
    }
}
