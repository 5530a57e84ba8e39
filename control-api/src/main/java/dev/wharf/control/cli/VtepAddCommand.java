package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AddVtepRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf vtep add NETWORK VTEP [--mac MAC [--ip IP]]}: prints the VTEP. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {"Add a remote VTEP to an overlay network's flood list (broadcast and unknown unicast reach it),",
        "or with --mac a remote endpoint behind it: its frames go straight to that VTEP (a static entry that",
        "learning never displaces), and with --ip this host answers ARP for it (no ARP crosses the underlay)."},
    footer = {"", "Example:", "  wharf vtep add ov 10.200.0.2", "  wharf vtep add ov 10.200.0.2 --mac 02:42:0a:32:00:03 --ip 10.50.0.3"})
final class VtepAddCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "NETWORK", description = "The overlay network.")
    String network;

    @Parameters(index = "1", paramLabel = "VTEP", description = "The remote host's underlay address.")
    String vtep;

    @Option(names = "--mac", paramLabel = "MAC", description = "A remote endpoint's MAC behind the VTEP.")
    String mac;

    @Option(names = "--ip", paramLabel = "IP", description = "With --mac: the endpoint's address, answered for locally (proxy ARP).")
    String ip;

    @Override
    protected void run(final WharfClient client)
    {
        final AddVtepRequest.Builder request = AddVtepRequest.newBuilder().setNetwork(network).setVtep(vtep);
        if (mac != null)
        {
            request.setMac(mac);
        }
        if (ip != null)
        {
            request.setIp(ip);
        }
        println(client.overlay().addVtep(request.build()).getVtep().getAddress());
    }
}
