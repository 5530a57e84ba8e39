package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ListVtepsRequest;
import dev.wharf.control.api.v1.ListVtepsResponse;
import dev.wharf.control.api.v1.RemoteEndpoint;
import dev.wharf.control.api.v1.Vtep;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf vtep ls NETWORK}: one row per VTEP and endpoint. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List an overlay network's VTEPs and the remote endpoints behind them.",
    footer = {"", "Example:", "  wharf vtep ls ov", "  wharf vtep ls ov --json | jq -r '.vteps[].address'"})
final class VtepListCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The overlay network.")
    String network;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListVtepsResponse response = client.overlay().listVteps(ListVtepsRequest.newBuilder().setNetwork(network).build());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        println(response.getNetwork() + ": " + response.getEncap() + " VNI " + response.getVni() + ", MTU " + response.getMtu() +
            ", tunnel port " + response.getTunnelPort() + (response.getMssClamp() ? ", MSS clamped to " + (response.getMtu() - 40) : "") +
            (response.getLearning() ? ", learning" : ", no learning") +
            (response.getHostAddress().isEmpty() ? "" : ", this host " + response.getHostAddress() + " " + response.getHostMac()));
        final Table table = new Table("VTEP", "MAC", "IP");
        for (final Vtep vtep : response.getVtepsList())
        {
            table.row(vtep.getAddress(), "-", "-");
            for (final RemoteEndpoint endpoint : vtep.getEndpointsList())
            {
                table.row(vtep.getAddress(), endpoint.getMac(), endpoint.getIp().isEmpty() ? "-" : endpoint.getIp());
            }
        }
        table.print(out());
    }
}
