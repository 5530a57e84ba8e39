package dev.wharf.control.cli;

import dev.wharf.control.api.v1.ListPortsRequest;
import dev.wharf.control.api.v1.ListPortsResponse;
import dev.wharf.control.api.v1.Port;
import dev.wharf.control.api.v1.PortKind;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.stream.Collectors;

/** {@code wharf port ls}: one row per port, optionally of one network. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List ports.",
    footer = {"", "Example:", "  wharf port ls", "  wharf port ls --network front --json"})
final class PortListCommand extends ClientCommand
{
    @Option(names = "--network", paramLabel = "NAME", description = "Only the ports of this network.")
    String network;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected void run(final WharfClient client)
    {
        final ListPortsResponse response = client.ports().list(
            ListPortsRequest.newBuilder().setNetwork(network == null ? "" : network).build());
        if (json)
        {
            Json.print(out(), response);
            return;
        }
        table(response.getPortsList(), true).print(out());
        for (final Port port : response.getPortsList())
        {
            if (!port.getHostKernelProblem().isEmpty())
            {
                println("note: " + port.getName() + ": the host kernel is not kept out of it (" + port.getHostKernelProblem() + ")");
            }
        }
    }

    /** The ports table, shared with {@code network inspect} (which leaves out the network column). */
    static Table table(final List<Port> ports, final boolean withNetwork)
    {
        final Table table = withNetwork ?
            new Table("NAME", "NETWORK", "KIND", "IP", "MAC", "VLAN", "MTU", "LEARNED", "STATE", "DNS NAMES") :
            new Table("NAME", "KIND", "IP", "MAC", "VLAN", "MTU", "LEARNED", "STATE", "DNS NAMES");
        for (final Port port : ports)
        {
            if (withNetwork)
            {
                table.row(port.getName(), port.getNetwork(), kind(port.getKind()), port.getIp(), port.getMac(), vlan(port),
                    port.getMtu(), port.getLearnedMacs(), state(port), dnsNames(port));
            }
            else
            {
                table.row(port.getName(), kind(port.getKind()), port.getIp(), port.getMac(), vlan(port), port.getMtu(), port.getLearnedMacs(),
                    state(port), dnsNames(port));
            }
        }
        return table;
    }

    /** The container's name, then its aliases, comma-separated; "" for none. */
    static String dnsNames(final Port port)
    {
        final List<String> names = new java.util.ArrayList<>();
        if (!port.getContainerName().isEmpty())
        {
            names.add(port.getContainerName());
        }
        names.addAll(port.getAliasesList());
        return String.join(",", names);
    }

    /** "up", or "down (why)". */
    static String state(final Port port)
    {
        return port.getStateReason().isEmpty() ? port.getState() : port.getState() + " (" + port.getStateReason() + ")";
    }

    static String kind(final PortKind kind)
    {
        return switch (kind)
        {
            case PORT_KIND_TAP -> "tap";
            case PORT_KIND_AF_PACKET, PORT_KIND_UNSPECIFIED -> "af_packet";
            default -> kind.name();
        };
    }

    static String vlan(final Port port)
    {
        if (port.getTrunkVlansCount() > 0)
        {
            return "trunk:" + port.getTrunkVlansList().stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return port.getVlan() == 0 ? "-" : String.valueOf(port.getVlan());
    }
}
